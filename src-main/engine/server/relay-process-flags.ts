// V8 flags for a process whose main work is relaying datagrams: `tincan serve`, its shard processes
// and the bench's relay. They can only be given when Node starts (the heap is configured then).
//
// Why a small young generation: the relay allocates ~100 bytes per datagram, most of it outside our
// code (Node makes an object per event-loop wake-up, ~56 B; a timestamp is boxed once, 16 B):
// ~1 MB/s at the spec workload. That is V8's own line for keeping the young generation at its
// maximum (16 MB semi-spaces) or shrinking it, so a relay would sit on it: with 16 MB it scavenged
// 5–25 ms at a time and, with the old generation's headroom below the young generation's size, kept
// starting full incremental markings (40–60 ms of marking work each) in steady traffic. With 1 MB it
// scavenges about once a second and promotes nothing; tail latency and RSS fall for plain and
// encrypted rooms alike (BENCHMARKS.md, "Encrypted relay: the young generation", 2026-12-06). A
// scavenge takes 0.3–0.5 ms at 5,000 members now that nothing per member survives one (1–2 ms
// before, 2026-12-07).
export const RELAY_PROCESS_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/** Whether a process started with `execArgv` runs with every relay flag. */
export function hasRelayProcessFlags(execArgv: readonly string[]): boolean {
  return RELAY_PROCESS_FLAGS.every((flag) => execArgv.includes(flag));
}
