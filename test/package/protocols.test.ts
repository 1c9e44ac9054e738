// The tincan:// scheme reaches the installers: electron-builder's `protocols` is what puts it in the
// macOS Info.plist and the Linux .desktop file (MimeType=x-scheme-handler/tincan).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LINK_SCHEME } from '../../src-shared/invite/join-link.js';

describe('electron-builder.yml protocols', () => {
  it('registers the invite-link scheme the parser reads', async () => {
    const config = parse(
      await readFile(fileURLToPath(new URL('../../electron-builder.yml', import.meta.url)), 'utf8'),
    ) as {
      protocols?: { name?: string; schemes?: string[] }[];
    };
    const schemes = (config.protocols ?? []).flatMap((p) => p.schemes ?? []);
    expect(schemes).toEqual([LINK_SCHEME]);
    expect(config.protocols?.[0]?.name).toBeTruthy();
  });
});
