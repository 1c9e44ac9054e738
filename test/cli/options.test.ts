// Command-line values → configs: every rule of src-cli/options.ts.
import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src-cli/errors.js';
import { join } from 'node:path';
import {
  cliDataDir,
  loopbackFor,
  parseDiscoverOptions,
  parseHostOptions,
  parseInteger,
  parseRoomOptions,
  parseSeconds,
  parseServeOptions,
  parseStunServer,
} from '../../src-cli/options.js';

/** Where the data folder is without TINCAN_DATA_DIR or XDG_CONFIG_HOME. */
const IDENTITY = join(cliDataDir({}), 'identity');
const KNOWN_HOSTS = join(cliDataDir({}), 'known-hosts.json');

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.USAGE);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseServeOptions', () => {
  it('uses the defaults when nothing is given', () => {
    expect(parseServeOptions({})).toEqual({
      server: { host: '0.0.0.0', port: 7777 },
      logLevel: 'info',
      workers: 1,
      upnp: false,
      advertise: false,
      identityDir: IDENTITY,
    });
  });

  it('maps every flag to the server option it sets, seconds to milliseconds', () => {
    const config = parseServeOptions({
      host: '127.0.0.1',
      port: '0',
      udpPort: '9000',
      inactivityTimeout: '1.5',
      handshakeTimeout: '2',
      tokenTtl: '30',
      maxRooms: '5',
      maxMembers: '6',
      maxPending: '7',
      maxConnsPerIp: '8',
      logLevel: 'debug',
      workers: '4',
      upnp: true,
      advertise: true,
    });
    expect(config).toEqual({
      server: {
        host: '127.0.0.1',
        port: 0,
        udpPort: 9000,
        inactivityTimeoutMs: 1500,
        handshakeTimeoutMs: 2000,
        tokenTtlMs: 30_000,
        maxRooms: 5,
        maxMembersPerRoom: 6,
        maxPendingHandshakes: 7,
        maxConnectionsPerIp: 8,
      },
      logLevel: 'debug',
      workers: 4,
      upnp: true,
      advertise: true,
      identityDir: IDENTITY,
    });
  });

  it('keeps the host identity in --identity, else in the data folder', () => {
    expect(parseServeOptions({ identity: '/srv/tincan-id' }).identityDir).toBe('/srv/tincan-id');
    expect(parseServeOptions({}, { TINCAN_DATA_DIR: '/data' }).identityDir).toBe(join('/data', 'identity'));
    expect(parseServeOptions({}, { XDG_CONFIG_HOME: '/cfg' }).identityDir).toBe(join('/cfg', 'tincan', 'identity'));
  });

  // encrypted transport (#16)
  it('refuses --encrypted-only with --workers, whose relay shards do not speak TLS', () => {
    expect(() => parseServeOptions({ encryptedOnly: true, workers: '2' })).toThrow(/--encrypted-only needs TLS/);
    expect(parseServeOptions({ encryptedOnly: true, workers: '1' }).server.encryptedOnly).toBe(true);
  });

  it('passes the per-IP abuse limits to the server; 0 lifts one', () => {
    expect(
      parseServeOptions({ hashBurstPerIp: '3', createBurstPerIp: '0', refusalBurstPerIp: '50' }).server,
    ).toMatchObject({ hashBurstPerIp: 3, createBurstPerIp: 0, refusalBurstPerIp: 50 });
    expect(parseServeOptions({}).server).not.toHaveProperty('hashBurstPerIp');
  });

  it('accepts IPv6 bind addresses with or without brackets', () => {
    expect(parseServeOptions({ host: '::' }).server.host).toBe('::');
    expect(parseServeOptions({ host: '[::1]' }).server.host).toBe('::1');
  });

  it.each([
    [{ port: '65536' }, /--port must be between 0 and 65535/],
    [{ port: '-1' }, /--port must be a whole number/],
    [{ port: '12ab' }, /--port must be a whole number/],
    [{ udpPort: '1.5' }, /--udp-port must be a whole number/],
    [{ inactivityTimeout: '0' }, /--inactivity-timeout must be more than 0/],
    [{ handshakeTimeout: 'soon' }, /--handshake-timeout must be a number of seconds/],
    [{ tokenTtl: '99999999' }, /--token-ttl must be/],
    [{ maxRooms: '0' }, /--max-rooms must be between 1/],
    [{ maxConnsPerIp: 'x' }, /--max-conns-per-ip must be a whole number/],
    [{ hashBurstPerIp: '-1' }, /--hash-burst-per-ip must be a whole number/],
    [{ refusalBurstPerIp: 'lots' }, /--refusal-burst-per-ip must be a whole number/],
    [{ logLevel: 'loud' }, /--log-level must be one of debug, info, warn, error, silent/],
    [{ workers: '0' }, /--workers/],
    [{ workers: '65' }, /--workers/],
    [{ host: 'two words' }, /--host must be an address/],
  ])('refuses %j', (raw, message) => {
    expect(usageMessage(() => parseServeOptions(raw))).toMatch(message);
  });
});

describe('parseRoomOptions', () => {
  it('parses host:port, the room, the name and the password', () => {
    expect(
      parseRoomOptions('join', '127.0.0.1:4000', 'lobby', { name: 'bob', password: 'pw', udpPort: '4001' }, {}),
    ).toEqual({
      mode: 'join',
      host: '127.0.0.1',
      port: 4000,
      udpPort: 4001,
      room: 'lobby',
      name: 'bob',
      password: 'pw',
      knownHostsPath: KNOWN_HOSTS,
    });
  });

  it('pins --fingerprint in canonical form, and refuses a malformed one or one with --plain', () => {
    const colons = Array.from({ length: 32 }, () => 'AB').join(':');
    expect(parseRoomOptions('join', 'h', 'lobby', { fingerprint: colons }, {}).fingerprint).toBe('ab'.repeat(32));
    expect(usageMessage(() => parseRoomOptions('join', 'h', 'lobby', { fingerprint: 'abc' }, {}))).toMatch(
      /--fingerprint must be a SHA-256 fingerprint/,
    );
    expect(
      usageMessage(() => parseRoomOptions('join', 'h', 'lobby', { fingerprint: 'ab'.repeat(32), plain: true }, {})),
    ).toMatch(/cannot go with --plain/);
    expect(parseRoomOptions('join', 'h', 'lobby', { plain: true }, {}).plain).toBe(true);
  });

  it('takes --cipher by name for create, join and host, and refuses any other name or --plain', () => {
    expect(parseRoomOptions('join', 'h', 'lobby', { cipher: 'chacha20-poly1305' }, {}).cipher).toBe(2);
    expect(parseRoomOptions('create', 'h', 'lobby', { cipher: 'aes-256-gcm' }, {}).cipher).toBe(1);
    expect(parseRoomOptions('create', 'h', 'lobby', {}, {}).cipher).toBeUndefined();
    expect(parseHostOptions('lobby', { cipher: 'chacha20-poly1305' }, {}).cipher).toBe(2);
    for (const bad of ['chacha20', 'AES-256-GCM', '2', ''])
      expect(usageMessage(() => parseRoomOptions('join', 'h', 'lobby', { cipher: bad }, {}))).toMatch(
        /--cipher must be aes-256-gcm or chacha20-poly1305/,
      );
    expect(usageMessage(() => parseHostOptions('lobby', { cipher: 'des' }, {}))).toMatch(/--cipher must be/);
    expect(
      usageMessage(() => parseRoomOptions('join', 'h', 'lobby', { cipher: 'aes-256-gcm', plain: true }, {})),
    ).toMatch(/--cipher needs TLS/);
  });

  it('defaults the port to 7777 and understands bracketed IPv6', () => {
    expect(parseRoomOptions('create', 'example.org', 'r', {}, {})).toMatchObject({ host: 'example.org', port: 7777 });
    expect(parseRoomOptions('create', '[::1]:9', 'r', {}, {})).toMatchObject({ host: '::1', port: 9 });
  });

  it('leaves name and password absent when not given, so they can be asked', () => {
    const config = parseRoomOptions('join', 'h', 'r', {}, {});
    expect(config).not.toHaveProperty('name');
    expect(config).not.toHaveProperty('password');
  });

  it('takes the password from TINCAN_PASSWORD when --password is missing, the flag wins', () => {
    expect(parseRoomOptions('join', 'h', 'r', {}, { TINCAN_PASSWORD: 'env' }).password).toBe('env');
    expect(parseRoomOptions('join', 'h', 'r', { password: 'flag' }, { TINCAN_PASSWORD: 'env' }).password).toBe('flag');
  });

  it('keeps an explicitly empty password (no password, do not ask)', () => {
    expect(parseRoomOptions('create', 'h', 'r', { password: '' }, {}).password).toBe('');
  });

  it.each([
    ['h:0', 'r', {}, /bad address: port out of range/],
    ['h:port', 'r', {}, /bad address: invalid port/],
    ['', 'r', {}, /bad address: the host address is empty/],
    [':80', 'r', {}, /bad address: missing host/],
    ['x:1:', 'r', {}, /bad address: "x:1:" is not a valid IPv6 address/],
    ['h', '', {}, /the room name must not be empty/],
    ['h', 'x'.repeat(29), {}, /the room name must be at most 28 bytes/],
    ['h', 'a\u001bb', {}, /the room name must not contain control characters/],
    ['h', 'r', { name: ' bob' }, /the name must not start or end with whitespace/],
    ['h', 'r', { name: 'n'.repeat(33) }, /the name must be at most 32 bytes/],
    ['h', 'r', { password: 'p'.repeat(257) }, /the password must be at most 256 bytes/],
    ['h', 'r', { udpPort: '0' }, /--udp-port must be between 1 and 65535/],
  ] as const)('refuses address %j room %j options %j', (address, room, raw, message) => {
    expect(usageMessage(() => parseRoomOptions('join', address, room, raw, {}))).toMatch(message);
  });
});

describe('advertising on the local network', () => {
  it('is off for serve and on for host unless the flag says otherwise', () => {
    expect(parseServeOptions({}).advertise).toBe(false);
    expect(parseServeOptions({ advertise: true }).advertise).toBe(true);
    expect(parseHostOptions('lobby', {}, {}).advertise).toBe(true);
    expect(parseHostOptions('lobby', { advertise: false }, {}).advertise).toBe(false);
  });

  it('discover --once waits 3 s unless told how long', () => {
    expect(parseDiscoverOptions({})).toEqual({ onceAfterMs: null });
    expect(parseDiscoverOptions({ once: true })).toEqual({ onceAfterMs: 3000 });
    expect(parseDiscoverOptions({ once: '0.5' })).toEqual({ onceAfterMs: 500 });
    expect(usageMessage(() => parseDiscoverOptions({ once: 'soon' }))).toMatch(/--once must be a number of seconds/);
  });
});

describe('--stun', () => {
  it('takes host:port, a name, or a host alone (port 3478), only beside --upnp', () => {
    expect(parseServeOptions({ upnp: true, stun: '11.0.0.1:3478' }).stun).toEqual({ host: '11.0.0.1', port: 3478 });
    expect(parseHostOptions('lobby', { upnp: true, stun: 'stun.example.org' }, {}).stun).toEqual({
      host: 'stun.example.org',
      port: 3478,
    });
    expect(parseServeOptions({ upnp: true, stun: 'stun.example.org:19302' }).stun?.port).toBe(19302);
    expect(parseServeOptions({ upnp: true })).not.toHaveProperty('stun');
    expect(usageMessage(() => parseServeOptions({ stun: '11.0.0.1' }))).toMatch(/needs --upnp/);
  });

  it('refuses what it cannot ask over IPv4, with the reason', () => {
    expect(usageMessage(() => parseStunServer('[2001:db8::1]:3478'))).toMatch(/IPv4/);
    expect(usageMessage(() => parseStunServer('11.0.0.1:0'))).toMatch(/port/);
    expect(usageMessage(() => parseStunServer('11.0.0.1:99999'))).toMatch(/port/);
    expect(usageMessage(() => parseStunServer(''))).toMatch(/empty/);
    expect(usageMessage(() => parseStunServer('bad_host!:3478'))).toMatch(/not a host name/);
    expect(usageMessage(() => parseStunServer(`${'a'.repeat(300)}:3478`))).toMatch(/not a host name/);
  });
});

describe('parseHostOptions', () => {
  it('listens on all interfaces, port 7777, with server logs off by default', () => {
    expect(parseHostOptions('lobby', {}, {})).toEqual({
      room: 'lobby',
      server: { host: '0.0.0.0', port: 7777 },
      logLevel: 'silent',
      upnp: false,
      advertise: true,
      identityDir: IDENTITY,
    });
  });

  it('maps the listening flags, name and password', () => {
    expect(
      parseHostOptions(
        'lobby',
        { host: '127.0.0.1', port: '0', udpPort: '0', name: 'al', password: 'pw', upnp: true },
        {},
      ),
    ).toEqual({
      room: 'lobby',
      name: 'al',
      password: 'pw',
      server: { host: '127.0.0.1', port: 0, udpPort: 0 },
      logLevel: 'silent',
      upnp: true,
      advertise: true,
      identityDir: IDENTITY,
    });
  });

  it('validates the room name', () => {
    expect(usageMessage(() => parseHostOptions('', {}, {}))).toMatch(/room name must not be empty/);
  });
});

describe('number helpers', () => {
  it('parseInteger takes decimal digits only, within bounds', () => {
    expect(parseInteger(' 42 ', '--n', 1, 100)).toBe(42);
    expect(() => parseInteger('0x10', '--n', 0, 100)).toThrow(UsageError);
    expect(() => parseInteger('1e3', '--n', 0, 10_000)).toThrow(UsageError);
  });

  it('parseSeconds returns whole milliseconds', () => {
    expect(parseSeconds('0.25', '--t')).toBe(250);
    expect(parseSeconds('10', '--t')).toBe(10_000);
    expect(() => parseSeconds('-1', '--t')).toThrow(UsageError);
  });
});

describe('loopbackFor', () => {
  it('reaches a wildcard bind through loopback of the same family', () => {
    expect(loopbackFor('0.0.0.0')).toBe('127.0.0.1');
    expect(loopbackFor('::')).toBe('::1');
    expect(loopbackFor('127.0.0.2')).toBe('127.0.0.2');
  });
});

describe('password from the environment', () => {
  it('an empty TINCAN_PASSWORD counts as unset', () => {
    expect(parseRoomOptions('join', 'h', 'r', {}, { TINCAN_PASSWORD: '' })).not.toHaveProperty('password');
  });
});
