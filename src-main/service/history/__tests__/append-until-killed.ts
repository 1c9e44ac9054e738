// Child process for the crash test: appends numbered records to a log as fast as it can and says
// "ready" after the first 200, so the parent can kill it in the middle of its write loop.
import { SegmentLog } from '../segment-log.js';

const file = process.argv[2];
if (!file) throw new Error('usage: append-until-killed <file>');
const log = SegmentLog.open(file, { maxRecordBytes: 1 << 20 });
// Records of varied length, some spanning several pages, so a kill can land anywhere in a frame.
for (let i = 0; ; i++) {
  log.append(Buffer.from(`${i}:${'x'.repeat((i * 7919) % 20_000)}`));
  if (i === 199) process.stdout.write('ready\n');
}
