// What a room's host may do besides closing it — remove a member (KICK), change or clear the
// password (SET_PASSWORD) — and the relay of typing indicators (TYPING). None of it is chat, so it
// lives off the relay's hot path: the relay hands these kinds here (PROTOCOL.md §2b).
import {
  ClientKind,
  decodeClientControl,
  encodeAckEvent,
  encodeErrorEvent,
  encodeTypingEvent,
  ErrorCode,
  TYPING_RELAY_MIN_INTERVAL_MS,
} from '../../../src-shared/protocol/index.js';
import type { DropReason } from './counters.js';
import type { PasswordHash } from './password.js';
import type { Member } from './room-registry.js';
import type { RoomLifecycle } from './room-lifecycle.js';
import type { UdpOut } from './udp-out.js';

/** Hashes a new room password as a create does, or says the hash limits refused it. */
export type NewPasswordHasher = (ip: string, password: string) => Promise<PasswordHash | 'refused'>;

export const HOST_TOOL_KINDS: ReadonlySet<number> = new Set([
  ClientKind.KICK,
  ClientKind.SET_PASSWORD,
  ClientKind.TYPING,
]);

export class HostTools {
  constructor(
    private readonly lifecycle: RoomLifecycle,
    private readonly out: UdpOut,
    private readonly hashNewPassword: NewPasswordHasher,
  ) {}

  /** Handles one KICK, SET_PASSWORD or TYPING from a Tincan member; returns why it was dropped, if it was. */
  handle(member: Member, message: Uint8Array, now: number): DropReason | null {
    const control = decodeClientControl(message);
    switch (control?.kind) {
      case 'kick':
        if (!member.host) return this.notHost(member, 'only the host can remove a member');
        return this.kick(member, control.name);
      case 'set-password':
        if (!member.host) return this.notHost(member, 'only the host can change the password');
        void this.setPassword(member, control.id, control.password);
        return null;
      case 'typing':
        return this.typing(member, now);
      default:
        if (message[1] === ClientKind.SET_PASSWORD && member.host)
          this.out.send(
            encodeErrorEvent(ErrorCode.BAD_TEXT, 'the password is not valid UTF-8 of at most 256 bytes'),
            member,
          );
        return 'bad-control';
    }
  }

  private notHost(member: Member, message: string): DropReason {
    this.out.send(encodeErrorEvent(ErrorCode.NOT_HOST, message), member);
    return 'not-host';
  }

  private kick(host: Member, name: string): DropReason | null {
    const target = host.room.members.get(name);
    // Byte for byte: a look-alike of a member's name shares its key but names nobody.
    if (target === undefined || target.name !== name || target === host) return 'bad-control';
    this.lifecycle.remove(target);
    return null;
  }

  private async setPassword(host: Member, id: number, password: string): Promise<void> {
    let hash: PasswordHash | null = null;
    if (password !== '') {
      const result = await this.hashNewPassword(host.ip, password);
      if (result === 'refused') {
        if (host.active)
          this.out.send(encodeErrorEvent(ErrorCode.RATE_LIMITED, 'too many password changes; try again later'), host);
        return;
      }
      hash = result;
    }
    // The host may have left, or the room closed, while scrypt ran.
    if (!host.active) return;
    this.lifecycle.passwordChanged(host.room, hash);
    this.out.send(encodeAckEvent(id, 0), host);
  }

  private typing(member: Member, now: number): DropReason | null {
    if (!member.typing) return 'bad-control';
    if (now - member.lastTypingAt < TYPING_RELAY_MIN_INTERVAL_MS) return 'rate-limited';
    member.lastTypingAt = now;
    let event: Uint8Array | null = null;
    for (const r of member.room.recipients) {
      if (r === member || !r.typing) continue;
      this.out.send((event ??= encodeTypingEvent(member.name)), r);
    }
    return null;
  }
}
