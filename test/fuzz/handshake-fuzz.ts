// Drives a live server's handshake state machine with random byte streams over loopback: mutated
// requests, random chunking, trailing junk, half-closes and silence. Every connection must end with
// well-formed replies (or none) and a close within the handshake timeout; the server must keep
// answering real requests afterwards. With `tls` (a server with a host identity) each connection
// is one of three kinds: the plain streams as before; a mutated real ClientHello over raw TCP,
// which must be answered with TLS records only (never TCRP in clear) and closed in time; or the
// plain streams inside a real TLS session, held to the plain invariants.
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import {
  encodeFrame,
  encodeRequestPayload,
  Operation,
  State,
  Status,
  TcrpDecoder,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { mutate, type Rng } from './random-bytes.js';
import { letTimePass } from '../support/wait.js';

export interface HandshakeFuzzOptions {
  tcpPort: number;
  connections: number;
  /** Connections in flight at once. */
  concurrency: number;
  /** The server's handshake timeout: a connection still open this long after its last byte is a finding. */
  handshakeTimeoutMs: number;
  /** Source addresses to rotate through (127.0.0.x), to stay under a per-IP cap. */
  sourceAddresses?: string[];
  /** Stop starting new connections after this time. */
  deadline?: number;
  /** The server has a host identity: mix in the TLS kinds of connection. */
  tls?: boolean;
}

/** plain: TCRP bytes in clear; tls-hello: a (mutated) ClientHello in clear; tls-tcrp: TCRP inside TLS. */
export const CONNECTION_KINDS = ['plain', 'tls-hello', 'tls-tcrp'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export interface HandshakeFuzzReport {
  connections: number;
  /** Connections per kind. */
  kinds: Record<ConnectionKind, number>;
  /**
   * Per kind, what came back → count: a TCRP status code; 'tls' (TLS records, to bytes that opened
   * a TLS record); 'none' (closed without a reply); 'no-tls' (a real TLS handshake did not finish).
   */
  replies: Record<ConnectionKind, Record<string, number>>;
  findings: { index: number; kind: ConnectionKind; problem: string; input: string }[];
  ms: number;
}

const KNOWN_STATUS = new Set<number>(Object.values(Status));

function seedRequest(rng: Rng): Uint8Array {
  const room = rng.pick(['fuzz', 'lobby', 'r'.repeat(28), 'ü', 'fz' + rng.int(50)]);
  const payload = rng.chance(0.7)
    ? encodeRequestPayload({
        username: rng.pick(['u', 'alice', 'b'.repeat(32), 'x' + rng.int(1000)]),
        password: rng.pick(['', 'pw']),
        dialect: rng.int(2),
        // Inside TLS these pick the sealed cipher and the room's rule; in clear they are refused or ignored.
        ciphers: rng.chance(0.3) ? rng.pick([[1], [2], [2, 1], [9], [1, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) : null,
        encryptedOnly: rng.chance(0.1),
      })
    : utf8Encode(rng.pick(['bob', '"carol"', '{"username":1}', '']));
  return encodeFrame({
    operation: rng.pick([Operation.CREATE, Operation.JOIN]),
    state: State.REQUEST,
    room: utf8Encode(room),
    payload,
  });
}

function generateStream(rng: Rng): Uint8Array {
  switch (rng.int(6)) {
    case 0:
      return rng.bytes(rng.length(200));
    case 1:
      return Buffer.concat([seedRequest(rng), rng.bytes(1 + rng.int(8))]); // trailing bytes
    case 2:
      return seedRequest(rng).subarray(0, rng.int(40)); // truncated
    default:
      return mutate(rng, seedRequest(rng), 1200);
  }
}

/** A ClientHello as the real client sends it (or cut short, or followed by TCRP in clear), mutated or not. */
function helloStream(rng: Rng, hello: Uint8Array): Uint8Array {
  switch (rng.int(6)) {
    case 0:
      return hello; // a real handshake the client never finishes
    case 1:
      return hello.subarray(0, rng.int(hello.length));
    case 2:
      // A request in clear behind the hello must never be read as one (CVE-2011-0411).
      return Buffer.concat([hello, rng.chance(0.5) ? seedRequest(rng) : rng.bytes(1 + rng.int(64))]);
    default:
      return mutate(rng, hello, 2048);
  }
}

/** The first bytes of a TLS record: the server hands such a connection to TLS. */
function opensTls(bytes: Uint8Array): boolean {
  return bytes[0] === 0x16 && bytes[1] === 0x03;
}

/**
 * One real ClientHello, as Node's TLS client sends it with our client's settings (TLS 1.3 only),
 * recorded by a throwaway local server that reads the first record and hangs up.
 */
export async function captureClientHello(): Promise<Uint8Array> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let client: tls.TLSSocket | null = null;
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ClientHello within 5 s')), 5_000);
      server.once('connection', (socket) => {
        let got = Buffer.alloc(0);
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          got = Buffer.concat([got, chunk]);
          if (got.length < 5 || got.length < 5 + got.readUInt16BE(3)) return;
          clearTimeout(timer);
          resolve(Uint8Array.from(got.subarray(0, 5 + got.readUInt16BE(3))));
          socket.destroy();
        });
      });
      client = tls.connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        minVersion: 'TLSv1.3',
        maxVersion: 'TLSv1.3',
        rejectUnauthorized: false,
      });
      client.on('error', () => undefined);
    });
  } finally {
    (client as tls.TLSSocket | null)?.destroy();
    server.close();
  }
}

function splitRandomly(rng: Rng, bytes: Uint8Array): Uint8Array[] {
  if (rng.chance(0.5)) return [bytes];
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length && chunks.length < 8) {
    const n = chunks.length === 7 ? bytes.length - at : 1 + rng.int(48);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

/** One connection: returns what came back (a status, 'tls', 'none' or 'no-tls') and a problem, if any. */
function oneConnection(
  opts: HandshakeFuzzOptions,
  rng: Rng,
  localAddress: string | undefined,
  kind: ConnectionKind,
  input: Uint8Array,
): Promise<{ status: string; problem: string | null }> {
  const chunks = splitRandomly(rng, input);
  const halfClose = rng.chance(0.8);
  const gapMs = rng.chance(0.3) ? 1 + rng.int(5) : 0;
  // Bytes in clear that open a TLS record go to TLS: only TLS records may come back, not decoded here.
  const tlsReply = kind !== 'tls-tcrp' && opts.tls === true && opensTls(input);
  return new Promise((resolve) => {
    const decoder = new TcrpDecoder({ maxPayloadBytes: 4096, allowEmptyRoom: true, maxRoomNameBytes: 255 });
    let status: number | null = null;
    let repliedTls = false;
    let secured = false;
    let completions = 0;
    let problem: string | null = null;
    let done = false;
    const tcp = net.connect({ host: '127.0.0.1', port: opts.tcpPort, localAddress });
    tcp.on('error', () => undefined); // under TLS the TLS socket reports it
    const socket =
      kind === 'tls-tcrp'
        ? tls.connect({
            socket: tcp, // from the rotated source address
            minVersion: 'TLSv1.3',
            maxVersion: 'TLSv1.3',
            rejectUnauthorized: false, // self-signed; who the server is does not matter here
          })
        : tcp;
    const finish = (why: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      socket.destroy();
      tcp.destroy();
      if (why && !problem) problem = why;
      if (status !== null && status !== Status.OK && completions > 0) problem ??= `token sent after status ${status}`;
      const seen =
        kind === 'tls-tcrp' && !secured ? 'no-tls' : repliedTls ? 'tls' : status === null ? 'none' : String(status);
      resolve({ status: seen, problem });
    };
    // Writing takes at most 8 gaps; after that the server has the handshake timeout plus slack to
    // hang up (its deadline covers a TLS handshake too).
    const guard = setTimeout(
      () => finish('server kept the connection open past the handshake timeout'),
      opts.handshakeTimeoutMs + 8 * gapMs + 2500,
    );
    socket.on(kind === 'tls-tcrp' ? 'secureConnect' : 'connect', async () => {
      secured = kind === 'tls-tcrp';
      for (const c of chunks) {
        if (done) return;
        socket.write(c);
        if (gapMs) await letTimePass(gapMs, 'pace the chunks as a slow client would');
      }
      if (halfClose && !done) socket.end();
    });
    socket.on('data', (data: Buffer) => {
      if (tlsReply) {
        // ServerHello or an alert: a TCRP status here would be an answer in clear.
        if (!repliedTls && (data[0] === undefined || data[0] < 0x14 || data[0] > 0x17))
          problem ??= `reply in clear to a TLS record: ${data.subarray(0, 8).toString('hex')}`;
        repliedTls = true;
        return;
      }
      try {
        for (const f of decoder.push(data).frames) {
          if (f.state === State.RESPONSE) {
            if (f.payload.length !== 1) problem ??= `status payload of ${f.payload.length} bytes`;
            status = f.payload[0] ?? -1;
            if (!KNOWN_STATUS.has(status)) problem ??= `unknown status ${status}`;
          } else if (f.state === State.COMPLETION) completions++;
          else problem ??= `reply frame in state ${f.state}`;
        }
      } catch (err) {
        problem ??= `undecodable reply: ${(err as Error).message}`;
      }
    });
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
  });
}

export async function fuzzHandshakes(opts: HandshakeFuzzOptions, rng: Rng): Promise<HandshakeFuzzReport> {
  const started = Date.now();
  const kinds: HandshakeFuzzReport['kinds'] = { plain: 0, 'tls-hello': 0, 'tls-tcrp': 0 };
  const replies: HandshakeFuzzReport['replies'] = { plain: {}, 'tls-hello': {}, 'tls-tcrp': {} };
  const findings: HandshakeFuzzReport['findings'] = [];
  const addresses: (string | undefined)[] = opts.sourceAddresses ?? [undefined];
  const hello = opts.tls ? await captureClientHello() : null;
  let next = 0;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.connections && Date.now() < (opts.deadline ?? Infinity)) {
      const index = next++;
      const kind: ConnectionKind = hello ? rng.pick(CONNECTION_KINDS) : 'plain';
      const input = kind === 'tls-hello' && hello ? helloStream(rng, hello) : generateStream(rng);
      const { status, problem } = await oneConnection(opts, rng, addresses[index % addresses.length], kind, input);
      kinds[kind]++;
      replies[kind][status] = (replies[kind][status] ?? 0) + 1;
      completed++;
      if (problem && findings.length < 20)
        findings.push({ index, kind, problem, input: Buffer.from(input).toString('hex').slice(0, 300) });
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { connections: completed, kinds, replies, findings, ms: Date.now() - started };
}
