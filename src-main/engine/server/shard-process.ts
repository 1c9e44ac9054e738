// Entry of one shard process of a ShardedChatServer (docs/MULTICORE.md): a whole ChatServer in
// shard mode on the UDP descriptor its parent passed as fd 3, taking the TCP connections the parent
// routes to it over IPC. Started by shard-supervisor.ts, never by hand:
//   node shard-process.js '<json: { options, udpType, tcpPort, logLevel, index }>'
import type { Socket } from 'node:net';
import { createLogger } from '../log.js';
import { ChatServer, type RoomSummary } from './chat-server.js';
import { resolveServerOptions } from './options.js';
import { PrimaryBudgets } from './shard-budgets.js';
import { isToShard, SHARD_UDP_FD, type FromShard, type ShardConfig } from './shard-messages.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ShardConfig;
const send = (msg: FromShard): void => {
  if (process.connected) process.send?.(msg);
};
const log = createLogger({
  level: config.logLevel,
  write: (line) => process.stderr.write(`${line.replace(/^\{/, `{"shard":${config.index},`)}\n`),
});
// Per-IP budgets are the primary's, one set for all shards (asked over IPC).
const budgets = new PrimaryBudgets(
  (msg) => process.connected && (process.send?.(msg) ?? false),
  resolveServerOptions(config.options),
  config.shards,
);
const server = new ChatServer({
  ...config.options,
  logger: log,
  shard: { udpFd: SHARD_UDP_FD, udpType: config.udpType, tcpPort: config.tcpPort, budgets },
});

// Each event goes up with its room as it stands right after it (gone once closed).
const roomAfter = (room: string): RoomSummary | null => server.roomSummary(room);
server.on('room-created', (detail) =>
  send({ type: 'event', event: 'room-created', detail, room: roomAfter(detail.room) }),
);
server.on('room-closed', (detail) => send({ type: 'event', event: 'room-closed', detail, room: null }));
server.on('member-joined', (detail) =>
  send({ type: 'event', event: 'member-joined', detail, room: roomAfter(detail.room) }),
);
server.on('member-left', (detail) =>
  send({ type: 'event', event: 'member-left', detail, room: roomAfter(detail.room) }),
);

process.on('message', (msg: unknown, handle?: Socket) => {
  if (!isToShard(msg)) {
    log.warn('shard-message-invalid', { msg });
    return;
  }
  if (msg.type === 'conn' && handle) {
    // However it ends (answered, refused, reset, destroyed here at once), the primary hears of it.
    handle.once('close', () => send({ type: 'conn-closed', id: msg.id }));
    server.adoptConnection(handle, Buffer.from(msg.head, 'base64'), msg.elapsedMs, msg.refuse);
  } else if (msg.type === 'conn') {
    // The socket closed on the way (Node then delivers the message alone): nothing to count.
    send({ type: 'conn-closed', id: msg.id });
  } else if (msg.type === 'budget') {
    budgets.answer(msg.id, msg.ok);
  } else if (msg.type === 'stats') {
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      id: msg.id,
      stats: server.stats(),
      rooms: server.roomList(),
      cpuMicros: cpu.user + cpu.system,
      rssBytes: process.memoryUsage.rss(),
    });
  } else {
    void server.close().finally(() => process.exit(0));
  }
});
// The parent is gone: nobody routes connections here any more.
process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
// Ctrl+C in a terminal signals the whole process group: the parent closes the shards in order (each
// tells its rooms), so a shard waits for that instead of dying at once; without a parent, it closes.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!process.connected) void server.close().finally(() => process.exit(0));
  });
}

// A parent that died while this process was still loading fired 'disconnect' before anyone listened.
if (!process.connected) process.exit(0);

server.listen().then(
  (address) => {
    if (!process.connected) void server.close().finally(() => process.exit(0));
    else send({ type: 'ready', address });
  },
  (err: unknown) => {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
