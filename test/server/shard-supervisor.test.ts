// ShardSupervisor with real child processes: it starts one per descriptor (with the relay's V8
// flags), passes on only messages that pass the guard, replaces a child that dies, and closes them
// all. The real shard-process runs on a SO_REUSEPORT group; a stand-in child
// (fixtures/chatty-shard.mjs) sends what no shard should.
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/engine/log.js';
import { RELAY_PROCESS_FLAGS } from '../../src-main/engine/server/relay-process-flags.js';
import type { FromShard, ShardConfig } from '../../src-main/engine/server/shard-messages.js';
import {
  defaultShardEntry,
  ShardSupervisor,
  type ShardExit,
  type ShardProcess,
} from '../../src-main/engine/server/shard-supervisor.js';
import { loadUdpBatch } from '../../src-main/engine/server/udp-batch.js';
import { commandLineOf } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const batch = process.platform === 'linux' ? loadUdpBatch() : null;

/** The relay V8 flags on a running process's command line (Linux), in the order given. */
function relayFlagsOf(pid: number): string[] {
  return commandLineOf(pid).filter((arg) => RELAY_PROCESS_FLAGS.includes(arg));
}

/** What the hooks saw, in order. */
interface Seen {
  messages: { shard: number; msg: FromShard }[];
  ready: number[];
  exits: { shard: number; exit: ShardExit }[];
}

function watch(): { seen: Seen; hooks: ConstructorParameters<typeof ShardSupervisor>[3] } {
  const seen: Seen = { messages: [], ready: [], exits: [] };
  return {
    seen,
    hooks: {
      message: (shard: ShardProcess, msg: FromShard) => seen.messages.push({ shard: shard.index, msg }),
      ready: (shard: ShardProcess) => seen.ready.push(shard.index),
      exited: (shard: ShardProcess, exit: ShardExit) => seen.exits.push({ shard: shard.index, exit }),
    },
  };
}

describe('ShardSupervisor', () => {
  let supervisor: ShardSupervisor | null = null;

  afterEach(async () => {
    await supervisor?.close();
    supervisor = null;
  });

  it('passes on only the messages that pass the guard, and closes its children', async () => {
    const { seen, hooks } = watch();
    const entry = { path: fileURLToPath(new URL('./fixtures/chatty-shard.mjs', import.meta.url)), execArgv: [] };
    const config = (index: number): ShardConfig => ({
      options: {},
      udpType: 'udp4',
      tcpPort: 1,
      logLevel: 'silent',
      index,
      shards: 2,
    });
    // Any descriptor does for the stand-in (close() closes them).
    const fds = [openSync('/dev/null', 'r'), openSync('/dev/null', 'r')];
    supervisor = new ShardSupervisor(fds, entry, config, hooks, silentLogger);
    await supervisor.startAll();
    expect(seen.ready.sort()).toEqual([0, 1]);
    expect(supervisor.pids.every((pid) => pid > 0)).toBe(true);
    await waitUntil(() => seen.messages.length === 2);
    expect(seen.messages.map((m) => m.msg.type)).toEqual(['event', 'event']);
    const closing = supervisor;
    supervisor = null;
    await closing.close();
    expect(seen.exits.map((e) => e.exit.closing)).toEqual([true, true]);
    expect(closing.shards.every((s) => s.child === null)).toBe(true);
  });

  it.skipIf(batch === null)(
    'starts a shard process per descriptor and replaces one that dies',
    async () => {
      const { seen, hooks } = watch();
      const fds = batch!.openReusePortGroup('127.0.0.1', 0, 2, false);
      const config = (index: number): ShardConfig => ({
        options: { host: '127.0.0.1', udpPort: null },
        udpType: 'udp4',
        tcpPort: 1,
        logLevel: 'silent',
        index,
        shards: 2,
      });
      supervisor = new ShardSupervisor(fds, defaultShardEntry(), config, hooks, silentLogger);
      await supervisor.startAll();
      const [first, other] = supervisor.pids as [number, number];
      expect(first).toBeGreaterThan(0);
      for (const pid of [first, other]) expect(relayFlagsOf(pid)).toEqual(RELAY_PROCESS_FLAGS);
      expect(supervisor.reachable(0)?.pid).toBe(first);
      process.kill(first, 'SIGKILL');
      await waitUntil(() => seen.exits.length === 1, { timeoutMs: 10_000 });
      expect(seen.exits[0]).toEqual({ shard: 0, exit: { closing: false, code: null, signal: 'SIGKILL' } });
      // Until its successor listens, nothing is sent to shard 0.
      expect(supervisor.reachable(0)).toBeNull();
      await waitUntil(() => (supervisor?.pids[0] ?? 0) > 0, { timeoutMs: 20_000 });
      expect(supervisor.pids[0]).not.toBe(first);
      expect(supervisor.pids[1]).toBe(other);
      expect(seen.ready.filter((i) => i === 0)).toHaveLength(2);
      expect(relayFlagsOf(supervisor.pids[0] as number)).toEqual(RELAY_PROCESS_FLAGS);
    },
    30_000,
  );
});
