// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and lists the frames with the most self
// time. Usable on its own: `npx tsx bench/cpuprofile-top.ts FILE.cpuprofile [N]`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/**
 * A stretch of time in the profile's clock. V8 stamps samples with the monotonic clock in µs, the
 * same clock as nowMicros(), so the bench can keep only the samples of its measured windows.
 */
export interface TimeWindow {
  start: number;
  end: number;
}

export interface TopFrame {
  frame: string;
  selfMs: number;
  selfPct: number;
}

function describe(node: ProfileNode): string {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  // Keep paths short: relative to the repository when inside it.
  const file = url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
  return `${name} ${file}:${lineNumber + 1}:${columnNumber + 1}`;
}

/** Pseudo-frames that are not work done by the process. */
const NOT_WORK = new Set(['(idle)']);

/** Self time per frame (same function at the same place merged), largest first; idle time left out. */
export function topSelfFrames(profile: CpuProfile, count: number, windows: readonly TimeWindow[] = []): TopFrame[] {
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  if (samples.length > 0 && deltas.length === samples.length) {
    // A sample's time is the gap to the next sample; attribute it to the sampled frame.
    let at = profile.startTime;
    for (let i = 0; i < samples.length; i++) {
      at += deltas[i] as number;
      const node = byId.get(samples[i] as number);
      const dt = deltas[i + 1] ?? 0;
      if (!node || dt <= 0) continue;
      if (windows.length > 0 && !windows.some((w) => at >= w.start && at < w.end)) continue;
      const key = describe(node);
      if (NOT_WORK.has(key)) continue;
      self.set(key, (self.get(key) ?? 0) + dt);
      total += dt;
    }
  } else {
    const interval =
      (profile.endTime - profile.startTime) /
      Math.max(
        1,
        profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0),
      );
    for (const node of profile.nodes) {
      const key = describe(node);
      if (NOT_WORK.has(key)) continue;
      const t = (node.hitCount ?? 0) * interval;
      self.set(key, (self.get(key) ?? 0) + t);
      total += t;
    }
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, us]) => ({
      frame,
      selfMs: Math.round(us / 100) / 10,
      selfPct: total > 0 ? Math.round((1000 * us) / total) / 10 : 0,
    }));
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
}

/**
 * The main-thread profile in a directory, or null. Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>;
 * the tsx loader runs on its own thread and writes a second file, so thread 0 is preferred, then the largest.
 */
export function newestProfile(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  const mainThread = files.filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  const pick = mainThread.length > 0 ? mainThread : files;
  return pick.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0] ?? null;
}

export function formatTopFrames(frames: TopFrame[]): string {
  return frames
    .map(
      (f, i) =>
        `${String(i + 1).padStart(2)}. ${f.selfPct.toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(1).padStart(8)} ms  ${f.frame}`,
    )
    .join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/cpuprofile-top.ts FILE.cpuprofile [N]');
    process.exit(2);
  }
  console.log(formatTopFrames(topSelfFrames(readProfile(file), Number(process.argv[3] ?? 15))));
}
