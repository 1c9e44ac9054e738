// PROTOCOL.md is the contract other implementations read: its tables must match the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Status } from '../src-shared/protocol/status.js';
import * as limits from '../src-shared/protocol/limits.js';
import { ClientKind, ServerKind } from '../src-shared/protocol/control.js';

const doc = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');

function tableRows(startHeading: string): string[][] {
  const start = doc.indexOf(startHeading);
  expect(start, `heading ${startHeading}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of doc.slice(start).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|') || line.startsWith('|---')) continue;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('PROTOCOL.md', () => {
  it('lists every status code with the same number and name as status.ts', () => {
    const rows = tableRows('### State 1').filter((r) => /^\d+$/.test(r[0] ?? ''));
    const documented = Object.fromEntries(rows.map((r) => [r[1], Number(r[0])]));
    expect(documented).toEqual({ ...Status });
  });

  it('states the size limits the code enforces', () => {
    expect(doc).toContain(`| client → server datagram | ${limits.UDP_CLIENT_MAX_BYTES} B |`);
    expect(doc).toContain(`| server → client datagram | ${limits.UDP_SERVER_MAX_BYTES} B |`);
    expect(doc).toContain(`| room name | 1..${limits.ROOM_NAME_MAX_BYTES} B |`);
    expect(doc).toContain(`| username | 1..${limits.USERNAME_MAX_BYTES} B |`);
    expect(doc).toContain(`| password | 0..${limits.PASSWORD_MAX_BYTES} B |`);
    expect(doc).toContain(`| chat text our clients send | ${limits.MESSAGE_TEXT_MAX_BYTES} B`);
    expect(doc).toContain(`default **${limits.TCRP_DEFAULT_MAX_PAYLOAD_BYTES}**`);
  });

  it('documents every structured datagram kind with its byte', () => {
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    for (const [name, code] of Object.entries(ClientKind)) expect(doc).toContain(`| ${hex(code)} | ${name} |`);
    for (const [name, code] of Object.entries(ServerKind)) expect(doc).toContain(`| ${hex(code)} | ${name} |`);
  });
});
