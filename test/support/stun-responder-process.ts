// Runs the test STUN server (stun-responder.ts) inside a lab namespace: argv[2] is the
// address to listen on, argv[3] the port; prints "listening" once bound, exits when stdin ends.
import { startStunResponder } from './stun-responder.js';

const responder = await startStunResponder(process.argv[2] ?? '0.0.0.0', Number(process.argv[3] ?? 3478));
process.stdout.write(`listening ${responder.port}\n`);
process.stdin.resume();
process.stdin.on('end', () => void responder.close().then(() => process.exit(0)));
