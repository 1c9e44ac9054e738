// Opening a peer's link in the system browser. The confirmation runs here, in main, so a renderer
// that is tricked or compromised can neither skip it nor change what it shows; only this function
// calls shell.openExternal. Electron comes in through `deps`, so the logic is testable without it.
import { confirmLinkText, describeLink } from '../../src-shared/links.js';

/** The subset of Electron's MessageBoxOptions we use. */
export interface LinkDialogOptions {
  type: 'question';
  buttons: string[];
  defaultId: number;
  cancelId: number;
  title: string;
  message: string;
  detail: string;
  noLink: boolean;
}

export interface LinkOpenerDeps {
  /** dialog.showMessageBox, modal to the app window when there is one. */
  showMessageBox(options: LinkDialogOptions): Promise<{ response: number }>;
  /** shell.openExternal. */
  openExternal(url: string): Promise<void>;
}

const OPEN = 0;
const CANCEL = 1;

/** Asks the user, then opens the normalised link; resolves true when it was opened. */
export function createLinkOpener(deps: LinkOpenerDeps): (url: string) => Promise<boolean> {
  return async (url) => {
    // The dispatcher checked already; checking again keeps this the one gate to the shell.
    const link = describeLink(url);
    if (!link) return false;
    const { response } = await deps.showMessageBox({
      type: 'question',
      buttons: ['Open', 'Cancel'],
      defaultId: CANCEL,
      cancelId: CANCEL,
      title: 'Open link',
      message: 'Open this link in your browser?',
      detail: confirmLinkText(link),
      noLink: true,
    });
    if (response !== OPEN) return false;
    await deps.openExternal(link.href);
    return true;
  };
}
