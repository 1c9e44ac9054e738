// The app's backend (service + dispatcher, nearby rooms on, the real port mapper) as a program, for
// tests that run it inside a network namespace (driven by app-backend-agent.ts): each input line is
// `{"req": name, "args": {...}}` and is answered with `{"res": ApiResult}`; every nearbyUpdated event
// is printed as `{"evt": NearbyState}`, every roomUpdated one as `{"room": RoomView}`, every
// roomMessage one as `{"msg": {roomId, entry}}`. The end of input is the app quitting.
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
service.on('roomUpdated', (view) => print({ room: view }));
service.on('roomMessage', (message) => print({ msg: message }));

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { req, args } = JSON.parse(line) as { req: string; args: unknown };
  void dispatch(req, args).then((res) => print({ res }));
});
// End of input is the app quitting: close every room (goodbyes sent, router mappings deleted), then exit.
lines.on(
  'close',
  () =>
    void service.shutdown().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }),
);
print({ ready: true });
