// Prints a bench result file as Markdown table rows, for BENCHMARKS.md:
//   npx tsx bench/render-markdown.ts bench/results/<stamp>.json
import fs from 'node:fs';
import type { WorkloadReport } from './workload.js';

interface ResultFile {
  command: string;
  startedAt: string;
  machine: { nproc: number; cpuModel: string; node: string; loadAverage: number[] };
  calibration?: { loopbackMicrosPerDatagram: number } | null;
  runs: WorkloadReport[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: tsx bench/render-markdown.ts RESULT.json');
  process.exit(2);
}
const result = JSON.parse(fs.readFileSync(file, 'utf8')) as ResultFile;
console.log(
  `\`${result.command}\` — ${result.startedAt}, sends ${result.runs.map((r) => r.relaySendPath ?? r.impl).join('/')}, generator ${result.runs[0]?.genIo ?? 'dgram'}, ${result.machine.nproc} × ${result.machine.cpuModel}, node ${result.machine.node}, load average at start ${result.machine.loadAverage.join(' / ')}${result.calibration ? `, kernel UDP ${result.calibration.loopbackMicrosPerDatagram} µs/datagram` : ''}\n`,
);
console.log(
  '| relay | rooms × users | msg/s/user | in offered / achieved (/s) | deliveries/s | loss % | p50 / p99 / p99.9 / max (ms) | relay CPU % (sys) | relay µs/delivery | loop delay max ms | relay RSS MB | handshakes/s | gen CPU % | gen µs/delivery |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const run of result.runs) {
  for (const p of run.phases) {
    const l = p.latencyMs;
    console.log(
      `| ${run.impl} | ${run.rooms} × ${run.usersPerRoom} | ${p.ratePerUser} | ${p.offeredInRate} / ${p.achievedInRate} | ${p.deliveriesPerSec} | ${p.lossPct} | ${l.p50} / ${l.p99} / ${l.p999} / ${l.max} | ${p.relayCpuPct} (${p.relayCpuSystemPct}) | ${p.relayCpuMicrosPerDelivery} | ${p.relayLoopDelayMs?.max ?? '–'} | ${p.relayRssMB} | ${run.join.handshakesPerSec} | ${p.generatorCpuPct.join(' + ')} | ${p.generatorCpuMicrosPerDelivery} |`,
    );
  }
}
