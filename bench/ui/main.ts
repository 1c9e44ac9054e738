// `npm run bench:ui`: how the app's UI keeps up with a busy room. Web mode (the same UI and service
// as the desktop app) in Debian's Chromium; a scripted member on a real server fills the room with
// --preload messages, then sends --burst messages at --rate per second while the bench types in
// the composer. Reports send → on-screen delay (p50/p95/max), long tasks, keypress delay and the
// renderer's JS heap, and writes the JSON next to the relay bench's results.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, systemChromium } from '../../e2e/fixtures/system-chromium.js';
import { startWebBackend } from '../../e2e/fixtures/web-backend.js';
import { formatTopFrames, readProfile, topSelfFrames } from '../cpuprofile-top.js';
import { machineInfo } from '../machine.js';
import { installProbe, type ProbeData } from './page-probe.js';
import { epochNow, startRoomFeeder } from './room-feeder.js';
import { distribution, ms, UI_TARGETS } from './ui-stats.js';

const root = join(import.meta.dirname, '..', '..');
const HELP = `npm run bench:ui -- [options]
  --preload N        messages in the room before the burst (10000)
  --preload-rate N   preload messages per second (1000)
  --burst N          messages measured (300)
  --rate N           burst messages per second (100)
  --timeout S        longest wait for the preload or the burst to show, in seconds (300)
  --out DIR          where the JSON result goes (bench/results)
  --cpuprofile FILE  also record the page's CPU profile during the burst (.cpuprofile) and list its top frames`;

const { values } = parseArgs({
  options: {
    preload: { type: 'string', default: '10000' },
    'preload-rate': { type: 'string', default: '1000' },
    burst: { type: 'string', default: '300' },
    rate: { type: 'string', default: '100' },
    timeout: { type: 'string', default: '300' },
    out: { type: 'string', default: 'bench/results' },
    cpuprofile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const count = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${String(values[name])}`);
  return n;
};
const opts = {
  preload: count('preload'),
  preloadRate: count('preload-rate'),
  burst: count('burst'),
  rate: count('rate'),
  timeoutMs: count('timeout') * 1000,
};

function chromiumPath(): string {
  const path = systemChromium();
  if (!path) throw new Error('no chromium on PATH (Debian: apt-get install chromium)');
  return path;
}

async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return Math.round((usedSize / 2 ** 20) * 10) / 10;
}

const probe = (page: Page): Promise<ProbeData> =>
  page.evaluate(() => Reflect.get(window, '__tincanProbe') as ProbeData);

async function waitInPage(page: Page, what: string, done: (data: ProbeData) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const data = await probe(page);
    if (done(data)) return { data, timedOut: false };
    if (Date.now() > deadline) {
      console.log(`  ${what}: not on screen after ${timeoutMs / 1000} s`);
      return { data, timedOut: true };
    }
    await page.waitForTimeout(100);
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'out/renderer/index.html'))) {
    console.log('building the renderer (electron-vite build)…');
    execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  }
  const feeder = await startRoomFeeder();
  const backend = await startWebBackend('bench-ui');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    // tsx names functions with an `__name` helper the page does not have: give it a no-op one.
    await page.addInitScript({ content: `var __name = (fn) => fn; (${installProbe.toString()})();` });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(backend.url);
    await page.getByLabel('Host address').fill(feeder.address);
    await page.getByLabel('Room name').fill(feeder.room);
    await page.getByLabel('Your display name').fill('reader');
    await page.getByRole('button', { name: 'Join room' }).click();
    await page.getByRole('heading', { name: feeder.room, level: 1 }).waitFor();
    const heapEmpty = await heapMB(cdp);

    console.log(`preloading ${opts.preload} messages at ${opts.preloadRate}/s…`);
    const preloadStarted = epochNow();
    await feeder.preload(opts.preload, opts.preloadRate);
    const preloadSent = epochNow();
    const pre = await waitInPage(page, 'preload', (d) => d.preloadEndSeen !== null, opts.timeoutMs);
    const preloadShownMs = pre.data.preloadEndSeen === null ? null : pre.data.preloadEndSeen - preloadSent;
    const heapPreloaded = await heapMB(cdp);
    const longTasksBefore = (await probe(page)).longTasks.length;

    console.log(`burst: ${opts.burst} messages at ${opts.rate}/s while typing…`);
    const composer = page.getByLabel('Message', { exact: true });
    await composer.click();
    const keysBefore = (await probe(page)).keyDelays.length;
    let typing = true;
    let stalledKeys = 0;
    // A frozen page cannot take a key within a second: count it as stalled and go on typing, so a
    // slow UI still yields figures instead of aborting the run.
    const typist = (async () => {
      while (typing) {
        await composer.press('a', { delay: 20, timeout: 1000 }).catch(() => (stalledKeys += 1));
        await page.waitForTimeout(60);
      }
    })();
    if (values.cpuprofile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const burstStarted = epochNow();
    const sentAt = await feeder.burst(opts.burst, opts.rate);
    const last = opts.burst - 1;
    const shown = await waitInPage(page, 'burst', (d) => d.seen[last] !== undefined, opts.timeoutMs);
    typing = false;
    await typist;
    if (values.cpuprofile) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(values.cpuprofile, JSON.stringify(profile));
      console.log(formatTopFrames(topSelfFrames(readProfile(values.cpuprofile), 15)));
    }
    // A page still frozen here must not cost the figures already taken.
    await composer.fill('').catch(() => undefined);
    const data = shown.data;
    const delays = sentAt.flatMap((sent, i) => (data.seen[i] === undefined ? [] : [data.seen[i] - sent]));
    const burstWindow = data.longTasks.slice(longTasksBefore);
    const heapAfter = await heapMB(cdp);
    const result = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      command: `npm run bench:ui -- ${process.argv.slice(2).join(' ')}`.trim(),
      options: opts,
      preload: {
        sendMs: Math.round(preloadSent - preloadStarted),
        shownAfterSendMs: preloadShownMs === null ? null : Math.round(preloadShownMs),
        timedOut: pre.timedOut,
        longTasks: distribution(data.longTasks.slice(0, longTasksBefore).map((t) => t.duration)),
      },
      burst: {
        sendMs: Math.round(epochNow() - burstStarted),
        shown: delays.length,
        missing: opts.burst - delays.length,
        timedOut: shown.timedOut,
        sendToScreen: distribution(delays),
        longTasks: distribution(burstWindow.map((t) => t.duration)),
        keypress: distribution(data.keyDelays.slice(keysBefore)),
        stalledKeys,
      },
      heapMB: { joined: heapEmpty, preloaded: heapPreloaded, afterBurst: heapAfter },
    };
    mkdirSync(values.out, { recursive: true });
    const file = join(values.out, `ui-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));

    const b = result.burst;
    console.log(
      `
preload: ${opts.preload} sent in ${result.preload.sendMs} ms, last one on screen ${ms(preloadShownMs)} after the send
burst send → screen: p50 ${ms(b.sendToScreen.p50)}, p95 ${ms(b.sendToScreen.p95)}, max ${ms(b.sendToScreen.max)}` +
        ` (${b.shown}/${opts.burst} shown; target p95 ≤ ${UI_TARGETS.p95Ms} ms)
long tasks in the burst: ${b.longTasks.count}, longest ${ms(b.longTasks.max)} (target: none over ${UI_TARGETS.longTaskMs} ms)
keypress → frame: p50 ${ms(b.keypress.p50)}, p95 ${ms(b.keypress.p95)}, max ${ms(b.keypress.max)}` +
        ` over ${b.keypress.count} keys, ${b.stalledKeys} stalled over 1 s (target ≤ ${UI_TARGETS.keypressMs} ms)
JS heap after GC: joined ${heapEmpty} MB, preloaded ${heapPreloaded} MB, after the burst ${heapAfter} MB
results: ${file}`,
    );
  } finally {
    await browser.close();
    await backend.stop();
    await feeder.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
