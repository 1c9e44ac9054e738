// The bench's small parts: latency stamps in message text, the CPU-profile reader, and one whole
// scenario through child processes (relay process + generator worker) as `npm run bench` runs it.
import fs from 'node:fs';
import os from 'node:os';
import hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { plainTextOffset, readStamp, textTemplate, writeStamp, STAMP_DIGITS } from '../../bench/gen/chat-text.js';
import { topSelfFrames } from '../../bench/cpuprofile-top.js';
import { Workload } from '../../bench/workload.js';
import { loadNativeGenUdp } from '../../bench/gen/native-udp.js';
import { cpuPlan } from '../../bench/cpu-plan.js';
import { readStealMs, stealBetween } from '../../bench/cpu-steal.js';
import { searchMaxRate } from '../../bench/rate-search.js';
import { RelayHandle } from '../../bench/relay-handle.js';
import { C_RELAY_THREAD, loadCRelay } from '../../bench/c-relay.js';
import { policyOf } from '../support/processes.js';

describe('chat text stamps', () => {
  it('round-trips a stamp through a plain chat line', () => {
    const text = textTemplate(40, ' u1-r0');
    expect(text.length).toBe(40);
    writeStamp(text, 0, 1_234_567_890_123);
    const line = Buffer.concat([Buffer.from('u1-r0: '), text]);
    const at = plainTextOffset(line);
    expect(at).toBe(7);
    expect(readStamp(line, at)).toBe(1_234_567_890_123);
    expect(line[at + STAMP_DIGITS]).toBe(0x20);
  });

  it('rejects lines without a stamp', () => {
    expect(plainTextOffset(Buffer.from('* bob joined the room'))).toBe(-1);
    expect(readStamp(Buffer.from('bob: hello there, no digits'), 5)).toBe(-1);
    expect(readStamp(Buffer.from('bob: 123'), 5)).toBe(-1);
  });
});

describe('find-max rate search', () => {
  /** A relay that sustains up to `limit` msg/s per user; records the rates tried. */
  function relayUpTo(limit: number): {
    tried: string[];
    tryRate: (rate: number, refining: boolean) => Promise<boolean>;
  } {
    const tried: string[] = [];
    return { tried, tryRate: async (rate, refining) => (tried.push(`${rate}${refining ? 'r' : ''}`), rate <= limit) };
  }

  it('steps up until a rate fails, then halves the gap to the last rate that passed', async () => {
    const relay = relayUpTo(2.8);
    expect(await searchMaxRate(0.5, 2, relay.tryRate)).toBe(2.75);
    // 3 fails: 2.75 (between 2.5 and 3) passes, then 2.875 (between 2.75 and 3) fails.
    expect(relay.tried).toEqual(['0.5', '1', '1.5', '2', '2.5', '3', '2.75r', '2.875r']);
  });

  it('without refinement reports the last whole step; refines nothing when even the first fails or none does', async () => {
    expect(await searchMaxRate(0.5, 0, relayUpTo(2.8).tryRate)).toBe(2.5);
    const none = relayUpTo(0.1);
    expect(await searchMaxRate(0.5, 2, none.tryRate)).toBe(0);
    expect(none.tried).toEqual(['0.5']);
    expect(await searchMaxRate(0.5, 2, relayUpTo(1_000).tryRate)).toBe(32);
  });
});

describe.runIf(process.platform === 'linux')('kernel UDP calibration (native generator)', () => {
  it('sends and reads back datagrams over loopback and reports a CPU cost per datagram', () => {
    const native = loadNativeGenUdp();
    if (typeof native === 'string') throw new Error(native); // built by npm install on Linux
    const ns = native.calibrate(5_000);
    // A real cost: more than a system call's bare minimum, less than a millisecond per datagram.
    expect(ns).toBeGreaterThan(100);
    expect(ns).toBeLessThan(1_000_000);
    expect(() => native.calibrate(0)).toThrow();
  });
});

describe('CPU plan of a pinned run', () => {
  it('puts the relay on CPU 0 and the generator on the rest', () => {
    expect(cpuPlan(2, 1)).toEqual({ relay: '0', shards: [], generator: '1' });
    expect(cpuPlan(8, 1)).toEqual({ relay: '0', shards: [], generator: '1-7' });
  });

  it('gives each shard its own CPU and the generator what is left, or refuses', () => {
    expect(cpuPlan(4, 2)).toEqual({ relay: '0', shards: ['0', '1'], generator: '2-3' });
    expect(cpuPlan(3, 2)).toEqual({ relay: '0', shards: ['0', '1'], generator: '2' });
    expect(() => cpuPlan(2, 2)).toThrow(/needs at least 3 CPUs/);
  });
});

describe('CPU steal of a window', () => {
  it('reads a count per CPU from /proc/stat and subtracts per CPU', () => {
    const now = readStealMs();
    expect(now).toHaveLength(os.cpus().length);
    expect(stealBetween([10, 20], [30, 20])).toEqual([20, 0]);
    expect(stealBetween(null, now)).toBeNull();
  });
});

describe('cpuprofile reader', () => {
  const frame = (id: number, functionName: string) => ({
    id,
    callFrame: { functionName, url: '', lineNumber: 0, columnNumber: 0 },
  });
  // Samples at t = 1000 + 10·k µs: node 2 (work) three times, node 3 (idle) once, node 4 twice.
  const profile = {
    nodes: [frame(1, '(root)'), frame(2, 'relay'), frame(3, '(idle)'), frame(4, 'send')],
    samples: [2, 2, 3, 4, 2, 4, 4],
    timeDeltas: [1000, 10, 10, 10, 10, 10, 10],
    startTime: 0,
    endTime: 1070,
  };

  it('adds self time per frame and leaves idle out', () => {
    const top = topSelfFrames(profile, 10);
    expect(top.map((f) => f.frame)).toEqual(['relay', 'send']);
    expect(top[0]?.selfPct).toBe(60);
  });

  it('keeps only samples inside the given windows', () => {
    const top = topSelfFrames(profile, 10, [{ start: 1025, end: 1100 }]);
    expect(top.map((f) => f.frame)).toEqual(['send', 'relay']);
  });
});

describe('bench scenario through child processes', () => {
  const scenario = async (serverOptions: Record<string, unknown>): Promise<void> => {
    const w = await Workload.start(
      {
        label: 'test',
        impl: 'real',
        rooms: 4,
        usersPerRoom: 3,
        messageBytes: 32,
        password: false,
        dialect: 'plain',
        genProcs: 1,
        socketPool: 0,
        sourceIps: 1,
        handshakeConcurrency: 4,
        pin: false,
        genIo: process.platform === 'linux' ? 'native' : 'dgram',
        rxPollMicros: 200,
        cpuProfDir: null,
        encrypted: false,
        serverOptions,
      },
      () => undefined,
    );
    try {
      expect(w.join.joined).toBe(12);
      const p = await w.runPhase({
        ratePerUser: 4,
        warmupMs: 200,
        durationMs: 1_000,
        drainMs: 1_000,
        rssSampleEveryMs: 0,
      });
      expect(p.expectedDeliveries).toBeGreaterThan(0);
      expect(p.receivedDeliveries).toBe(p.expectedDeliveries);
      expect(p.lossPct).toBe(0);
      expect(p.latencyMs.count).toBe(p.receivedDeliveries);
      // The whole histogram is kept too (for pooling pairs), and it is the same window.
      expect(hdr.decodeFromCompressedBase64(p.latencyHistogram).totalCount).toBe(p.receivedDeliveries);
      expect(p.relayRssMB).toBeGreaterThan(0);
      expect(p.relayCpuPct).toBeGreaterThan(0);
      expect(p.relayInPerSec).toBeGreaterThan(0); // the server's counters came through (added up over shards)
      expect(p.generatorCpuPct).toHaveLength(1);
      expect(p.relayRealtime).toBe(false); // only pinned runs raise the relay
      // Steal is read per CPU of this machine over the window (0 or more ms each).
      expect(p.stealMs).toHaveLength(os.cpus().length);
      for (const ms of p.stealMs ?? []) expect(ms).toBeGreaterThanOrEqual(0);
      expect(p.machineHolds).toEqual([]); // canaries watch pinned runs only
    } finally {
      await w.stop();
    }
  };

  it('runs a tiny workload against the real relay process with one generator worker', async () => {
    await scenario({});
  }, 30_000);

  it.runIf(process.platform === 'linux')(
    'and against the relay as two shard processes (--relay-workers 2)',
    async () => {
      await scenario({ workers: 2 });
    },
    30_000,
  );
});

describe.runIf(process.platform === 'linux')('the relay at real-time priority for a pinned phase', () => {
  /** A relay child on loopback, unpinned: setRealtime works on any relay process. */
  const startRelay = (impl: 'naive' | 'c'): Promise<RelayHandle> =>
    RelayHandle.start({ impl, serverOptions: { host: '127.0.0.1', port: 0 }, pinCpus: null, cpuProfDir: null });

  it('raises the relay loop to FIFO and back, or says it could not', async () => {
    const relay = await startRelay('naive');
    try {
      expect(policyOf(relay.pid)).toBe(0);
      const raised = relay.setRealtime(true);
      if (process.getuid?.() === 0) expect(raised).toBe(true);
      // Root or CAP_SYS_NICE (as in CI) may; elsewhere it reports false and changes nothing.
      expect(policyOf(relay.pid)).toBe(raised ? 1 : 0);
      expect(relay.setRealtime(false)).toBe(raised);
      expect(policyOf(relay.pid)).toBe(0);
    } finally {
      await relay.stop();
    }
  }, 30_000);

  it.runIf(typeof loadCRelay() !== 'string')(
    "raises only the C reference relay's own loop thread",
    async () => {
      const relay = await startRelay('c');
      try {
        const loop = fs
          .readdirSync(`/proc/${relay.pid}/task`)
          .map(Number)
          .filter((tid) => fs.readFileSync(`/proc/${relay.pid}/task/${tid}/comm`, 'utf8').trim() === C_RELAY_THREAD);
        expect(loop).toHaveLength(1);
        const tid = loop[0] as number;
        const raised = relay.setRealtime(true);
        if (process.getuid?.() === 0) expect(raised).toBe(true);
        expect(policyOf(relay.pid, tid)).toBe(raised ? 1 : 0);
        expect(policyOf(relay.pid)).toBe(0); // Node's own main thread stays as it was
        relay.setRealtime(false);
        expect(policyOf(relay.pid, tid)).toBe(0);
      } finally {
        await relay.stop();
      }
    },
    30_000,
  );
});
