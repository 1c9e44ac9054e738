// The tincan:// scheme in Electron: one instance per profile, links from a second launch (Windows,
// Linux) or from open-url (macOS) go to the running one, and the app registers itself as the
// scheme's handler. The parsing and queueing live in link-inbox.ts.
import { resolve } from 'node:path';
import { app } from 'electron';
import { LINK_SCHEME } from '../../src-shared/invite/join-link.js';
import { LinkInbox, findLinkArg } from './link-inbox.js';

export interface DeepLinks {
  inbox: LinkInbox;
  /** False when another instance owns this profile: it got our link, and this one must quit. */
  primary: boolean;
}

/** Must run before 'ready' (macOS sends open-url for a cold start before it) and after userData is set. */
export function installDeepLinks(options: { warn: (message: string) => void; showWindow: () => void }): DeepLinks {
  const inbox = new LinkInbox(options.warn);
  // The lock is per userData folder, so test profiles (--user-data-dir) stay independent.
  if (!app.requestSingleInstanceLock()) return { inbox, primary: false };

  app.on('second-instance', (_event, argv) => {
    const link = findLinkArg(argv);
    if (link) inbox.receive(link);
    options.showWindow();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    inbox.receive(url);
    options.showWindow();
  });

  // Test runs must not rewire the desktop of the machine they run on.
  if (process.env.TINCAN_E2E !== '1') {
    // Unpackaged (electron .), the OS must start Electron with our entry script as the argument.
    const registered =
      process.defaultApp && process.argv[1]
        ? app.setAsDefaultProtocolClient(LINK_SCHEME, process.execPath, [resolve(process.argv[1])])
        : app.setAsDefaultProtocolClient(LINK_SCHEME);
    if (!registered) options.warn(`could not register as the ${LINK_SCHEME}:// handler`);
  }

  const coldStart = findLinkArg(process.argv);
  if (coldStart) inbox.receive(coldStart);
  return { inbox, primary: true };
}
