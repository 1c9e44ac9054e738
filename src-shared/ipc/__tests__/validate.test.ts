import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, REQUEST_NAMES, eventChannel, eventMethodName, requestChannel, IPC_PREFIX } from '../contract.js';
import { eventSchemas, parseEvent, parseRequest, requestSchemas } from '../validate.js';

const view = {
  id: 'r1',
  room: 'lobby',
  server: '127.0.0.1:7777',
  username: 'bob',
  role: 'member',
  hosted: false,
  passwordProtected: true,
  state: 'connected',
  attempt: null,
  closedReason: null,
  dialect: 'tincan',
  members: [
    { name: 'alice', host: true },
    { name: 'bob', host: false, plain: true },
  ],
  share: null,
  remembered: false,
  catchUp: null,
  transport: 'encrypted',
  encryptedOnly: false,
};

describe('IPC contract', () => {
  it('has a validator for every request and event, and prefixed unique channels', () => {
    expect(Object.keys(requestSchemas).sort()).toEqual([...REQUEST_NAMES].sort());
    expect(Object.keys(eventSchemas).sort()).toEqual([...EVENT_NAMES].sort());
    const channels = [...REQUEST_NAMES.map(requestChannel), ...EVENT_NAMES.map(eventChannel)];
    expect(new Set(channels).size).toBe(channels.length);
    for (const c of channels) expect(c.startsWith(IPC_PREFIX)).toBe(true);
    expect(eventMethodName('roomUpdated')).toBe('onRoomUpdated');
  });

  it('accepts well-formed requests', () => {
    expect(parseRequest('joinRoom', { address: '[::1]:7777', room: 'lobby', username: 'bob', password: '' }).ok).toBe(
      true,
    );
    expect(
      parseRequest('hostRoom', { room: '部屋', username: 'ana 🎉', password: 'pw', port: 0, bindHost: '::' }).ok,
    ).toBe(true);
    expect(parseRequest('sendMessage', { roomId: 'r1', text: '😀'.repeat(950) }).ok).toBe(true); // 3800 bytes
    expect(parseRequest('listRooms', {}).ok).toBe(true);
    // encrypted transport (#16)
    const pinned = { address: 'h', room: 'lobby', username: 'bob', password: '', fingerprint: 'ab'.repeat(32) };
    expect(parseRequest('joinRoom', pinned).ok).toBe(true);
    expect(parseRequest('setActiveRoom', { roomId: null }).ok).toBe(true);
    expect(parseRequest('openExternal', { url: 'mailto:ana@example.com' }).ok).toBe(true);
  });

  it.each([
    ['joinRoom', null],
    ['joinRoom', 'lobby'],
    ['joinRoom', { address: 'h', room: 'lobby', username: 'bob' }],
    ['joinRoom', { address: 'h', room: 'x'.repeat(29), username: 'bob', password: '' }],
    ['joinRoom', { address: 'h', room: 'lobby', username: 'bob', password: '', extra: 1 }],
    ['joinRoom', { address: 'h', room: 'lobby', username: 'bob', password: '', fingerprint: 'AB'.repeat(32) }],
    ['joinRoom', { address: 'h', room: 'lobby', username: 'bob', password: '', fingerprint: 'ab'.repeat(31) }],
    ['hostRoom', { room: 'r', username: 'u', password: '', port: 70000, bindHost: '0.0.0.0' }],
    ['hostRoom', { room: 'r', username: 'u', password: '', port: 1.5, bindHost: '0.0.0.0' }],
    ['hostRoom', { room: 'r', username: 'u', password: '', port: 0, bindHost: '' }],
    ['hostRoom', { room: 'r', username: 'u', password: '', port: 0 }],
    ['hostRoom', { room: 'r', username: 'u', password: '', port: 80, bindHost: '::', allowPrivilegedPort: 'yes' }],
    ['sendMessage', { roomId: 'r1', text: '😀'.repeat(951) }],
    ['sendMessage', { roomId: 'r1', text: '' }],
    ['sendMessage', { roomId: '', text: 'hi' }],
    ['sendMessage', { roomId: 'r1', text: 42 }],
    ['listRooms', { sneaky: true }],
    ['setPrefs', { window: { width: 1, height: 1 } }],
    ['openExternal', { url: 'x'.repeat(3000) }],
    ['openExternal', { url: 'file:///etc/passwd' }],
    ['openExternal', { url: 'https://evil.example/\u202Efdp.exe.moc.elgoog' }],
    ['openExternal', { url: 'https://goo\u200Bgle.com/' }],
  ] as const)('rejects a bad %s payload %#', (name, payload) => {
    const result = parseRequest(name, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe('BAD_ARGS');
  });

  it('rejects unknown requests', () => {
    expect(parseRequest('eval' as never, {}).ok).toBe(false);
  });

  it('validates events', () => {
    expect(parseEvent('roomUpdated', view)).toEqual(view);
    expect(parseEvent('roomUpdated', { ...view, state: 'weird' })).toBeNull();
    expect(parseEvent('roomUpdated', { ...view, members: 'alice' })).toBeNull();
    expect(parseEvent('roomUpdated', { ...view, transport: 'sealed' })).toBeNull();
    // #14 item 3: the catch-up size the host's server said, a positive whole number or null.
    expect(parseEvent('roomUpdated', { ...view, catchUp: 100 })).toEqual({ ...view, catchUp: 100 });
    for (const catchUp of [0, 2.5, -1, '100', undefined])
      expect(parseEvent('roomUpdated', { ...view, catchUp })).toBeNull();
    expect(parseEvent('roomUpdated', { ...view, members: [{ name: 'bob', host: false, plain: 'yes' }] })).toBeNull();
    const entry = { kind: 'chat', key: 'r1-1', from: 'alice', text: 'hi', own: false, at: 1, seq: 3, pending: false };
    expect(parseEvent('roomMessage', { roomId: 'r1', entry })).not.toBeNull();
    expect(parseEvent('roomMessage', { roomId: 'r1', entry: { ...entry, kind: 'html' } })).toBeNull();
    expect(parseEvent('roomMessage', { roomId: 'r1' })).toBeNull();
    expect(parseEvent('roomRemoved', { roomId: 5 })).toBeNull();
  });
});
