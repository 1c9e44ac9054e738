// Runs the scripted IGD (scripted-igd.ts) inside the lab's router namespace: argv[2] is its LAN
// address, argv[3] the outside address it reports. Prints "listening <port>", then one JSON line
// per SOAP action; exits when stdin ends.
import { startScriptedIgd } from './scripted-igd.js';

const igd = await startScriptedIgd(process.argv[2] ?? '127.0.0.1', process.argv[3] ?? '0.0.0.0', (action) =>
  process.stdout.write(`${JSON.stringify(action)}\n`),
);
process.stdout.write(`listening ${igd.httpPort}\n`);
process.stdin.resume();
process.stdin.on('end', () => void igd.close().then(() => process.exit(0)));
