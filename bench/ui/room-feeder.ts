// The room the UI bench reads: a real ChatServer on 127.0.0.1 and a scripted member who fills the
// room (preload) and then speaks at a fixed rate (burst). Send times are epoch ms on the same clock
// the page probe uses, so the difference is send → on screen (the loopback hop is well under 1 ms).
import { performance } from 'node:perf_hooks';
import { ChatClient, ChatServer, silentLogger } from '../../src-main/engine/index.js';

export const epochNow = (): number => performance.timeOrigin + performance.now();

export interface RoomFeeder {
  address: string;
  room: string;
  /** Sends `count` filler messages at `perSecond`, then the end marker. */
  preload(count: number, perSecond: number): Promise<void>;
  /** Sends `count` burst messages at `perSecond`; returns each one's send time (epoch ms). */
  burst(count: number, perSecond: number): Promise<number[]>;
  /** Sends one line as it is. */
  say(text: string): void;
  close(): Promise<void>;
}

const FILLER = 'the quick brown fox jumps over the lazy dog while the build runs';

async function paced(count: number, perSecond: number, send: (index: number) => void): Promise<void> {
  const started = epochNow();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - epochNow();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    send(i);
  }
}

export async function startRoomFeeder(room = 'busy'): Promise<RoomFeeder> {
  // The bench's own server: its per-member rate limit is lifted so the preload is fast.
  const server = new ChatServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    maxMessagesPerSecond: 100_000,
    nativeUdp: false,
  });
  const { tcpPort } = await server.listen();
  const feeder = new ChatClient({ host: '127.0.0.1', port: tcpPort, room, username: 'feeder', mode: 'create' });
  await feeder.connect();
  return {
    address: `127.0.0.1:${tcpPort}`,
    room,
    async preload(count, perSecond) {
      await paced(count, perSecond, (i) => feeder.send(`pre ${i} ${FILLER}`));
      feeder.send('preload-end');
    },
    async burst(count, perSecond) {
      const sentAt: number[] = [];
      await paced(count, perSecond, (i) => {
        sentAt[i] = epochNow();
        feeder.send(`burst#${i} ${FILLER}`);
      });
      return sentAt;
    },
    say(text) {
      feeder.send(text);
    },
    async close() {
      await feeder.closeRoom().catch(() => undefined);
      await server.close();
    },
  };
}
