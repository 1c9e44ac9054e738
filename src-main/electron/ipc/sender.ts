// Which frames may call the IPC handlers: the top frame of our own UI (app://tincan, or the dev
// server when not packaged). Pure so it can be tested without Electron.

export const APP_SCHEME = 'app';
export const APP_HOST = 'tincan';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function isTrustedUrl(url: string, devServerUrl: string | null): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  if (devServerUrl) {
    try {
      return parsed.origin === new URL(devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** The subset of WebFrameMain we look at. */
export interface FrameLike {
  url: string;
  parent: unknown;
}

export function isTrustedFrame(frame: FrameLike | null | undefined, devServerUrl: string | null): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false; // only the top frame; we never embed frames
  return isTrustedUrl(frame.url, devServerUrl);
}
