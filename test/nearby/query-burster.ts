// Sends a burst of browse queries for `_tincan._tcp` for the pacing test: `count` queries, one every
// `gapMs`, then waits a little and prints "answers N": how many query answers (responses whose
// answers hold our PTR but no SRV, which announcements carry) it heard. Run inside a test namespace.
import { SERVICE_DOMAIN } from '../../src-main/service/nearby/mdns-records.js';
import { MdnsTransport } from '../../src-main/service/nearby/mdns-transport.js';

const count = Number(process.argv[2] ?? '100');
const gapMs = Number(process.argv[3] ?? '20');
const transport = await MdnsTransport.open();
let answers = 0;
transport.on('response', (packet) => {
  const records = packet.answers ?? [];
  if (records.some((r) => r.type === 'PTR' && r.name === SERVICE_DOMAIN) && !records.some((r) => r.type === 'SRV'))
    answers++;
});
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
for (let i = 0; i < count; i++) {
  await transport.send({ type: 'query', questions: [{ name: SERVICE_DOMAIN, type: 'PTR' }] });
  await pause(gapMs);
}
await pause(300);
process.stdout.write(`answers ${answers}\n`);
await transport.close();
