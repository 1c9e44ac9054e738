// The main-process link confirmation without Electron: the dialog and the shell are injected.
import { describe, expect, it } from 'vitest';
import { createLinkOpener, type LinkDialogOptions } from '../open-link.js';

function setup(response: number) {
  const dialogs: LinkDialogOptions[] = [];
  const opened: string[] = [];
  const open = createLinkOpener({
    showMessageBox: async (options) => {
      dialogs.push(options);
      return { response };
    },
    openExternal: async (url) => void opened.push(url),
  });
  return { open, dialogs, opened };
}

describe('createLinkOpener', () => {
  it('asks with Open / Cancel and opens the normalised link on Open', async () => {
    const { open, dialogs, opened } = setup(0);
    expect(await open('https://bücher.example/a b')).toBe(true);
    expect(opened).toEqual(['https://xn--bcher-kva.example/a%20b']);
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatchObject({ buttons: ['Open', 'Cancel'], defaultId: 1, cancelId: 1 });
    expect(dialogs[0]?.detail).toBe('Site: xn--bcher-kva.example\nAddress: https://xn--bcher-kva.example/a%20b');
  });

  it('opens nothing when the user cancels or closes the dialog', async () => {
    const { open, opened } = setup(1);
    expect(await open('https://example.com/')).toBe(false);
    expect(opened).toEqual([]);
  });

  it('neither asks nor opens for a refused scheme or a deceptive link', async () => {
    const { open, dialogs, opened } = setup(0);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'https://evil.example/\u202Efdp.exe', 'x'])
      expect(await open(url)).toBe(false);
    expect(dialogs).toEqual([]);
    expect(opened).toEqual([]);
  });
});
