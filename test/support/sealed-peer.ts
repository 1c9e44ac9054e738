// A sealed member driven by hand: a raw handshake through a server that was given its UDP secret,
// then the real client-side SealedChannel over a raw UDP socket, so a test sees (and can replay,
// forge or keep) every sealed datagram that reaches a member.
import { createHash, randomBytes } from 'node:crypto';
import {
  decodeServerEvent,
  encodeClientControl,
  Operation,
  parseCompletionPayload,
  Status,
  utf8Encode,
  type SealedSessionInfo,
  type ServerEvent,
} from '../../src-shared/protocol/index.js';
import { SealedChannel } from '../../src-main/engine/client/sealed-channel.js';
import { rawExchange, requestFrame } from './raw-tcrp.js';
import { UdpPeer } from './raw-udp.js';
import { waitUntil } from './wait.js';

/** The test seam's table: which (room, name) gets which secret. */
export class UdpSecrets {
  private readonly byMember = new Map<string, Uint8Array>();

  /** A fresh random secret for the member (what its TLS exporter would yield). */
  issue(room: string, name: string): Uint8Array {
    const secret = randomBytes(64);
    this.byMember.set(`${room}\n${name}`, secret);
    return secret;
  }

  readonly lookup = (room: string, name: string): { udpSecret: Uint8Array } | null => {
    const udpSecret = this.byMember.get(`${room}\n${name}`);
    return udpSecret ? { udpSecret } : null;
  };
}

/** Where a sealed peer's secret comes from: the test's table, or derived from the names. */
export interface SecretSource {
  issue(room: string, name: string): Uint8Array;
}

/**
 * Secrets derived from (room, name), so a server in another process can find the same one
 * (`udpSecretForTests: derivedSecrets.lookup`) without being told. Tests only: anyone can derive them.
 */
export const derivedSecrets = {
  issue: (room: string, name: string): Uint8Array => createHash('sha512').update(`${room}\n${name}`).digest(),
  lookup: (room: string, name: string): { udpSecret: Uint8Array } => ({ udpSecret: derivedSecrets.issue(room, name) }),
};

export class SealedPeer {
  /** Every server event opened, in order. */
  readonly events: ServerEvent[] = [];
  /** KEY_ACKs still to swallow instead of sending (as if lost on the way). */
  withholdAcks = 0;

  private constructor(
    readonly probe: UdpPeer,
    readonly channel: SealedChannel,
    readonly token: Buffer,
    private readonly udpPort: number,
  ) {
    probe.socket.on('message', (msg: Buffer) => {
      const opened = channel.open(msg);
      if (opened === null) return;
      if (opened.kind === 'reply') {
        if (this.withholdAcks > 0) this.withholdAcks--;
        else void probe.sendRaw(opened.datagram, udpPort);
      } else {
        // `tincan: true` offers version 1 (test/support/raw-tcrp.ts).
        const ev = decodeServerEvent(opened.message, 1);
        if (ev) this.events.push(ev);
      }
    });
  }

  static async join(
    port: number,
    secrets: SecretSource,
    room: string,
    username: string,
    create = false,
  ): Promise<SealedPeer> {
    const secret = secrets.issue(room, username);
    const probe = await UdpPeer.open();
    const { frames } = await rawExchange({
      port,
      chunks: [
        requestFrame({
          operation: create ? Operation.CREATE : Operation.JOIN,
          room,
          payload: { username, password: '', tincan: true },
        }),
      ],
    });
    const completion = frames[1] ? parseCompletionPayload(frames[1].payload) : null;
    if (frames[0]?.payload[0] !== Status.OK || completion?.kind !== 'tincan' || !completion.info.sealed) {
      probe.close();
      throw new Error(`no sealed session for ${username}`);
    }
    const info: SealedSessionInfo = completion.info.sealed;
    const peer = new SealedPeer(probe, new SealedChannel(secret, info), Buffer.from(completion.token), port);
    await peer.send(encodeClientControl({ kind: 'hello' }));
    await waitUntil(() => peer.has('members'), { what: `the member list for ${username}` });
    return peer;
  }

  /** Seals and sends one message (the part after the spec header). */
  send(message: Uint8Array): Promise<void> {
    const datagram = this.channel.seal(message);
    if (datagram === null) throw new Error('could not seal');
    return this.probe.sendRaw(datagram, this.udpPort);
  }

  chat(id: number, text: string): Promise<void> {
    return this.send(encodeClientControl({ kind: 'chat', id, text: utf8Encode(text) }));
  }

  leave(): Promise<void> {
    return this.send(encodeClientControl({ kind: 'leave' }));
  }

  chats(): string[] {
    return this.events.flatMap((e) => (e.kind === 'chat' ? [e.text] : []));
  }

  has(kind: ServerEvent['kind']): boolean {
    return this.events.some((e) => e.kind === kind);
  }

  close(): void {
    this.probe.close();
  }
}
