// Piped mode: stdin is not a terminal. Every input line is a message; end of input leaves the room.
import { createInterface } from 'node:readline';
import type { ChatSession } from './session.js';

/** After the last line went out, how long we wait for the server to confirm it. */
const DRAIN_AT_END_MS = 2000;
/** Stop reading input while this many lines wait for their turn (a long file piped in). */
const PAUSE_READING_AT = 1000;

export function runPiped(session: ChatSession, input: NodeJS.ReadableStream): Promise<number> {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let paused = false;
  rl.on('line', (line) => {
    // A trailing CR from Windows line ends is not part of the message.
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim().length > 0) session.send(text);
    if (session.pendingSends >= PAUSE_READING_AT && !paused) {
      paused = true;
      rl.pause();
      void session.whenSent().then(() => {
        paused = false;
        if (!session.isFinished) rl.resume();
      });
    }
  });
  rl.on('close', () => {
    if (session.isFinished) return;
    void session.waitForDeliveries(DRAIN_AT_END_MS).then(() => session.leave());
  });
  void session.done.then(() => rl.close());
  return session.done;
}
