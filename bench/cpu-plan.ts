// Which CPUs each process of a pinned run (--pin) gets: the relay on CPU 0 and the generator on the
// rest; with --relay-workers N, shard i on CPU i (the primary, which only routes handshakes, shares
// CPU 0) and the generator on CPUs N and up — so N shards need at least N + 1 CPUs.

export interface CpuPlan {
  /** taskset CPU list of the relay process (the primary with shards). */
  relay: string;
  /** One CPU list per shard, in shard order (empty for a single-process relay). */
  shards: string[];
  generator: string;
}

function range(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}

export function cpuPlan(nproc: number, workers: number): CpuPlan {
  if (workers <= 1) return { relay: '0', shards: [], generator: range(1, Math.max(1, nproc - 1)) };
  if (nproc < workers + 1) {
    throw new Error(
      `--pin with --relay-workers ${workers} needs at least ${workers + 1} CPUs (one per shard and one for the generator); this machine has ${nproc}`,
    );
  }
  return {
    relay: '0',
    shards: Array.from({ length: workers }, (_, i) => String(i)),
    generator: range(workers, nproc - 1),
  };
}
