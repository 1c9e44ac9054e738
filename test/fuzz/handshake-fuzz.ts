// Drives a live server's handshake state machine with random byte streams over loopback: mutated
// requests, random chunking, trailing junk, half-closes and silence. Every connection must end with
// well-formed replies (or none) and a close within the handshake timeout; the server must keep
// answering real requests afterwards.
import net from 'node:net';
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
}

export interface HandshakeFuzzReport {
  connections: number;
  /** Status code → count; 'none' when the server closed without a reply. */
  statuses: Record<string, number>;
  findings: { index: number; problem: string; input: string }[];
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

/** One connection: returns the status it saw (or 'none') and a problem description, if any. */
function oneConnection(
  opts: HandshakeFuzzOptions,
  rng: Rng,
  localAddress: string | undefined,
  input: Uint8Array,
): Promise<{ status: string; problem: string | null }> {
  const chunks = splitRandomly(rng, input);
  const halfClose = rng.chance(0.8);
  const gapMs = rng.chance(0.3) ? 1 + rng.int(5) : 0;
  return new Promise((resolve) => {
    const decoder = new TcrpDecoder({ maxPayloadBytes: 4096, allowEmptyRoom: true, maxRoomNameBytes: 255 });
    let status: number | null = null;
    let completions = 0;
    let problem: string | null = null;
    let done = false;
    const socket = net.connect({ host: '127.0.0.1', port: opts.tcpPort, localAddress });
    const finish = (why: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      socket.destroy();
      if (why && !problem) problem = why;
      if (status !== null && status !== Status.OK && completions > 0) problem ??= `token sent after status ${status}`;
      resolve({ status: status === null ? 'none' : String(status), problem });
    };
    // Writing takes at most 8 gaps; after that the server has the handshake timeout plus slack to hang up.
    const guard = setTimeout(
      () => finish('server kept the connection open past the handshake timeout'),
      opts.handshakeTimeoutMs + 8 * gapMs + 2500,
    );
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (done) return;
        socket.write(c);
        if (gapMs) await letTimePass(gapMs, 'pace the chunks as a slow client would');
      }
      if (halfClose && !done) socket.end();
    });
    socket.on('data', (data: Buffer) => {
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
  const statuses: Record<string, number> = {};
  const findings: HandshakeFuzzReport['findings'] = [];
  const addresses: (string | undefined)[] = opts.sourceAddresses ?? [undefined];
  let next = 0;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.connections && Date.now() < (opts.deadline ?? Infinity)) {
      const index = next++;
      const input = generateStream(rng);
      const { status, problem } = await oneConnection(opts, rng, addresses[index % addresses.length], input);
      statuses[status] = (statuses[status] ?? 0) + 1;
      completed++;
      if (problem && findings.length < 20)
        findings.push({ index, problem, input: Buffer.from(input).toString('hex').slice(0, 300) });
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { connections: completed, statuses, findings, ms: Date.now() - started };
}
