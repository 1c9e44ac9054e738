// Counters the relay and the handshake bump instead of logging per event; read by stats().

/** Why a datagram was not relayed. Fixed keys so the object keeps one shape on the hot path. */
export interface DropCounters {
  'too-short': number;
  'too-large': number;
  'room-size': number;
  'token-size': number;
  truncated: number;
  'unknown-token': number;
  'wrong-room': number;
  'wrong-ip': number;
  'bad-utf8': number;
  'bad-control': number;
  'not-host': number;
  'rate-limited': number;
  /** Sealed datagrams: bad header or counter, no such session, tag failed (forged or modified), seen before. */
  'sealed-malformed': number;
  'sealed-unknown-session': number;
  'sealed-bad-tag': number;
  'sealed-replayed': number;
  /** A plain datagram naming a member whose datagrams must be sealed. */
  'sealed-only': number;
}

export type DropReason = keyof DropCounters;

export class ServerCounters {
  datagramsIn = 0;
  /** Chat datagrams sent to recipients (one message to 9 recipients counts 9). */
  datagramsRelayed = 0;
  /** Structured CHATs that repeated a recent id: re-acknowledged, not relayed again. */
  chatResends = 0;
  readonly dropped: DropCounters = {
    'too-short': 0,
    'too-large': 0,
    'room-size': 0,
    'token-size': 0,
    truncated: 0,
    'unknown-token': 0,
    'wrong-room': 0,
    'wrong-ip': 0,
    'bad-utf8': 0,
    'bad-control': 0,
    'not-host': 0,
    'rate-limited': 0,
    'sealed-malformed': 0,
    'sealed-unknown-session': 0,
    'sealed-bad-tag': 0,
    'sealed-replayed': 0,
    'sealed-only': 0,
  };
  /** Handshake outcomes by status name (OK, ROOM_EXISTS, …). */
  readonly handshakes: Record<string, number> = {};

  countHandshake(status: string): void {
    this.handshakes[status] = (this.handshakes[status] ?? 0) + 1;
  }
}
