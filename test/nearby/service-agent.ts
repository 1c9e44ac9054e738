// The app's backend (service + dispatcher, nearby rooms on) driven over stdin/stdout, for the test
// that runs it inside a network namespace: each input line is `{"req": name, "args": {...}}` and is
// answered with `{"res": ApiResult}`; every nearbyUpdated event is printed as `{"evt": NearbyState}`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { silentLogger } from '../../src-main/engine/index.js';
import { createBackend } from '../../src-main/service/backend.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tincan-agent-'));
const { service, dispatch } = createBackend({ dataDir, logger: silentLogger });
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
service.on('nearbyUpdated', (state) => print({ evt: state }));

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { req, args } = JSON.parse(line) as { req: string; args: unknown };
  void dispatch(req, args).then((res) => print({ res }));
});
// End of input is the app quitting: close every room (goodbyes included), then exit.
lines.on(
  'close',
  () =>
    void service.shutdown().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }),
);
print({ ready: true });
