// Invite links the operating system hands the app (command line on a cold start, a second instance's
// argv on Windows and Linux, open-url on macOS). No Electron here, so it is testable in plain Node:
// links are parsed strictly, held until the window can take them, and only ever prefill the form. A
// malformed link is not dropped in silence: the user opened something, so the Join form says why.
import { LinkError, looksLikeLink, parseJoinLink, type JoinLink } from '../../src-shared/invite/join-link.js';

/** What the renderer hears about a link: the parsed link, or why the parser refused it. */
export type OpenedLink = { link: JoinLink } | { refused: string };

/** The first `tincan:` argument; Chromium may add switches around it, so every position is checked. */
export function findLinkArg(argv: readonly string[]): string | null {
  return argv.slice(1).find((arg) => looksLikeLink(arg)) ?? null;
}

export class LinkInbox {
  private pending: OpenedLink | null = null;
  private deliver: ((opened: OpenedLink) => void) | null = null;

  /** `rejected` hears why a link was refused, for the log (the link itself is not repeated: it came from anywhere). */
  constructor(private readonly rejected: (message: string) => void) {}

  /** Takes one link as the OS gave it; true when it was valid. */
  receive(raw: string): boolean {
    let opened: OpenedLink;
    try {
      opened = { link: parseJoinLink(raw) };
    } catch (err) {
      if (!(err instanceof LinkError)) throw err;
      this.rejected(`ignored an invite link: ${err.message}`);
      opened = { refused: err.message };
    }
    if (this.deliver) this.deliver(opened);
    // Only the latest link matters: it is one form to fill (or one reason to show).
    else this.pending = opened;
    return 'link' in opened;
  }

  /** The renderer is listening: hand over what arrived before, then every new link at once. */
  attach(deliver: (opened: OpenedLink) => void): void {
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
