// Invite links the operating system hands the app (command line on a cold start, a second instance's
// argv on Windows and Linux, open-url on macOS). No Electron here, so it is testable in plain Node:
// links are parsed strictly, held until the window can take them, and only ever prefill the form.
import { LinkError, looksLikeLink, parseJoinLink, type JoinLink } from '../../src-shared/invite/join-link.js';

/** The first `tincan:` argument; Chromium may add switches around it, so every position is checked. */
export function findLinkArg(argv: readonly string[]): string | null {
  return argv.slice(1).find((arg) => looksLikeLink(arg)) ?? null;
}

export class LinkInbox {
  private pending: JoinLink | null = null;
  private deliver: ((link: JoinLink) => void) | null = null;

  /** `rejected` hears why a link was refused (the link itself is not repeated: it came from anywhere). */
  constructor(private readonly rejected: (message: string) => void) {}

  /** Takes one link as the OS gave it; true when it was valid. */
  receive(raw: string): boolean {
    let link: JoinLink;
    try {
      link = parseJoinLink(raw);
    } catch (err) {
      if (!(err instanceof LinkError)) throw err;
      this.rejected(`ignored an invite link: ${err.message}`);
      return false;
    }
    if (this.deliver) this.deliver(link);
    // Only the latest link matters: it is one form to fill.
    else this.pending = link;
    return true;
  }

  /** The renderer is listening: hand over what arrived before, then every new link at once. */
  attach(deliver: (link: JoinLink) => void): void {
    this.deliver = deliver;
    const waiting = this.pending;
    this.pending = null;
    if (waiting) deliver(waiting);
  }

  /** The window went away (or is reloading): hold links again. */
  detach(): void {
    this.deliver = null;
  }
}
