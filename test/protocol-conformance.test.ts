// PROTOCOL.md's ```conformance blocks, replayed byte by byte on a real server over real TCP and UDP
// sockets: every byte the document says a client sends is sent as written, and every byte it says the
// server answers must arrive exactly (tokens, which are random, are captured and reused).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpPeer } from './support/raw-udp.js';
import { startServer, type TestServer } from './support/server.js';
import { letTimePass, waitUntil } from './support/wait.js';
import {
  parseWireScripts,
  SCRIPT_TOKEN_BYTES,
  stepLength,
  type WaitStep,
  type WireStep,
} from './support/wire-script.js';

const doc = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');
const scripts = parseWireScripts(doc);
const TOKEN_CHAR = /^[A-Za-z0-9_-]$/u;

class Peer {
  tcp: net.Socket | null = null;
  /** TCP bytes received and not yet matched. */
  tcpIn = Buffer.alloc(0);
  /** The next TCP send starts a new connection (the last one finished its transaction). */
  tcpDone = true;
  token: Buffer | null = null;
  private constructor(readonly udp: UdpPeer) {}

  static async open(): Promise<Peer> {
    return new Peer(await UdpPeer.open('127.0.0.1'));
  }

  close(): void {
    this.tcp?.destroy();
    this.udp.close();
  }
}

let server: TestServer | null = null;
const peers = new Map<string, Peer>();

afterEach(async () => {
  for (const p of peers.values()) p.close();
  peers.clear();
  await server?.close();
  server = null;
});

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/gu, '$1 ');

function bytesToSend(step: WireStep, peer: Peer): Buffer {
  const parts = step.pieces.map((p) => {
    if (p.kind === 'bytes') return Buffer.from(p.bytes);
    if (peer.token === null) throw new Error(`line ${step.line}: ${step.peer} has no token yet`);
    return peer.token;
  });
  return Buffer.concat(parts);
}

/** Checks `got` against the step's bytes; captures a `{token}` into the peer. */
function match(step: WireStep, peer: Peer, got: Buffer): void {
  const where = `line ${step.line} (${step.peer} ${step.channel}<)`;
  expect(got.length, `${where}: length of ${hex(got)}`).toBe(stepLength(step));
  let at = 0;
  for (const piece of step.pieces) {
    if (piece.kind === 'bytes') {
      expect(hex(got.subarray(at, at + piece.bytes.length)), where).toBe(hex(Uint8Array.from(piece.bytes)));
      at += piece.bytes.length;
      continue;
    }
    const token = got.subarray(at, at + SCRIPT_TOKEN_BYTES);
    for (const char of token.toString('latin1')) expect(char, `${where}: token character`).toMatch(TOKEN_CHAR);
    peer.token = Buffer.from(token);
    at += SCRIPT_TOKEN_BYTES;
  }
}

async function tcpSend(step: WireStep, peer: Peer, port: number): Promise<void> {
  if (peer.tcpDone) {
    peer.tcp?.destroy();
    const socket = net.connect(port, '127.0.0.1');
    peer.tcp = socket;
    peer.tcpIn = Buffer.alloc(0);
    peer.tcpDone = false;
    socket.on('data', (data: Buffer) => {
      peer.tcpIn = Buffer.concat([peer.tcpIn, data]);
    });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  }
  peer.tcp?.write(bytesToSend(step, peer));
}

async function tcpExpect(step: WireStep, peer: Peer): Promise<void> {
  const length = stepLength(step);
  await waitUntil(() => peer.tcpIn.length >= length, { what: `line ${step.line}: ${length} bytes over TCP` });
  const got = peer.tcpIn.subarray(0, length);
  peer.tcpIn = peer.tcpIn.subarray(length);
  peer.tcpDone = true;
  match(step, peer, got);
}

async function run(step: WireStep | WaitStep, ports: { tcpPort: number; udpPort: number }): Promise<void> {
  if (step.kind === 'wait') return letTimePass(step.ms, `line ${step.line}: ${step.peer} sends nothing`);
  let peer = peers.get(step.peer);
  if (!peer) {
    peer = await Peer.open();
    peers.set(step.peer, peer);
  }
  if (step.channel === 'tcp') {
    if (step.direction === 'send') await tcpSend(step, peer, ports.tcpPort);
    else await tcpExpect(step, peer);
    return;
  }
  if (step.direction === 'send') await peer.udp.sendRaw(bytesToSend(step, peer), ports.udpPort);
  else match(step, peer, await peer.udp.next());
}

describe('PROTOCOL.md conformance examples', () => {
  it('has examples to replay', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(4);
  });

  for (const script of scripts) {
    // A script that waits (a quiet time the protocol counts) gets that long on top of the usual limit.
    const waits = script.steps.reduce((ms, step) => ms + (step.kind === 'wait' ? step.ms : 0), 0);
    it(script.title, { timeout: 20_000 + waits }, async () => {
      server = await startServer({});
      const ports = { tcpPort: server.tcpPort, udpPort: server.udpPort };
      for (const step of script.steps) await run(step, ports);
      // Nothing arrived that the example does not show.
      for (const [name, peer] of peers) {
        expect(await peer.udp.quiet(0), `${name}: datagrams the example does not show`).toEqual([]);
        expect(hex(peer.tcpIn), `${name}: TCP bytes the example does not show`).toBe('');
      }
    });
  }
});
