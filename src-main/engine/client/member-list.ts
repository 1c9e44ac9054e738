// The room's member list as the client last heard it: replaced by a MEMBERS answer, changed by JOINED
// and LEFT. Never trusts the server with its size or its uniqueness.
import { MAX_MEMBERS_ASSEMBLED } from './incoming.js';
import type { Member } from './types.js';

export class MemberList {
  private list: Member[] = [];

  /** A copy, so callers cannot change the list behind our back. */
  snapshot(): Member[] {
    return this.list.map((m) => ({ ...m }));
  }

  has(name: string): boolean {
    return this.list.some((m) => m.name === name);
  }

  /** A new session: only ourselves until the server's list arrives. */
  reset(self: Member): void {
    this.list = [{ ...self }];
  }

  /** Replaces the whole list, keeping the first entry per name (a confused server must not show anyone twice). */
  replace(members: readonly Member[]): void {
    const seen = new Set<string>();
    const out: Member[] = [];
    for (const m of members) {
      if (seen.has(m.name)) continue;
      seen.add(m.name);
      out.push({ ...m });
    }
    this.list = out;
  }

  /**
   * Adds a member (replacing one of the same name). False when the list is already at its cap: a
   * hostile server could announce members without end, and a real list never gets this long.
   */
  add(member: Member): boolean {
    this.remove(member.name);
    if (this.list.length >= MAX_MEMBERS_ASSEMBLED) return false;
    this.list.push(member);
    return true;
  }

  /** Records a member's transport (a resumed session may change it); true when the list changed. */
  setPlain(name: string, plain: boolean): boolean {
    const member = this.list.find((m) => m.name === name);
    if (!member || member.plain === plain) return false;
    member.plain = plain;
    return true;
  }

  remove(name: string): void {
    this.list = this.list.filter((m) => m.name !== name);
  }
}
