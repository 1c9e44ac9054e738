// Runs one PortMapper inside a network namespace for the lab tests (test/reach/port-mapping-lab.test.ts):
// options as JSON in argv[2]; every status and renewal goes to stdout as one JSON line; stdin commands:
// "entry TCP 7777" (what the gateway holds, via GetSpecificPortMappingEntry), "close" (the probe stays
// up to be asked again; it exits when its stdin ends).
import { createInterface } from 'node:readline';
import { findUpnpGateway, PortMapper, upnpMappingEntry } from '../../src-main/reach/port-mapping/index.js';

const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

const mapper = new PortMapper(JSON.parse(process.argv[2] ?? '{}'));
mapper.on('status', (status) => print({ event: 'status', status }));
mapper.on('renewed', (renewal) => print({ event: 'renewed', ...renewal }));
void mapper.start();

const commands = createInterface({ input: process.stdin });
commands.on('close', () => process.exit(0));
commands.on('line', (line) => {
  const [command, protocol, port] = line.trim().split(' ');
  if (command === 'close') {
    void mapper.close().then(() => print({ event: 'closed', ignored: mapper.ignoredGatewayReplies }));
  } else if (command === 'entry' && (protocol === 'TCP' || protocol === 'UDP')) {
    findUpnpGateway(2000)
      .then(async (gateway) => {
        if (!gateway) throw new Error('no gateway');
        print({ event: 'entry', entry: await upnpMappingEntry(gateway, protocol, Number(port)) });
      })
      .catch((err: unknown) => print({ event: 'entry', error: (err as Error).message }));
  }
});
