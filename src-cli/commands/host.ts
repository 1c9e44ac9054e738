// `tincan host <room>`: start a server on this machine, create the room on it over loopback and
// chat as its host. Leaving (or closing) the room stops the server too.
import { formatHostAddress } from '../../src-shared/address.js';
import { NO_NAME_MESSAGE } from '../chat/connect.js';
import { runChat } from '../chat/run-chat.js';
import { advertiseRooms } from '../advertise-rooms.js';
import { UsageError } from '../errors.js';
import { startListening } from '../listen-error.js';
import { type HostConfig, loopbackFor } from '../options.js';
import { startPortMapping } from '../port-mapping.js';
import type { Runtime, ServerPort } from '../runtime.js';

// Our goodbye datagram goes to the server in this same process; it must be read before the server
// closes, or members would hear "server shutting down" (and try to reconnect) instead of "host left".
const GOODBYE_WAIT_MS = 1000;
const GOODBYE_POLL_MS = 20;

async function waitForRoomGone(server: ServerPort, room: string): Promise<void> {
  for (let waited = 0; waited < GOODBYE_WAIT_MS; waited += GOODBYE_POLL_MS) {
    if (!server.roomList().some((r) => r.name === room)) return;
    await new Promise((resolve) => setTimeout(resolve, GOODBYE_POLL_MS));
  }
}

export async function hostCommand(config: HostConfig, rt: Runtime): Promise<number> {
  // Fail on a missing name before a server is started for nothing.
  if (config.name === undefined && rt.stdin.isTTY !== true) throw new UsageError(NO_NAME_MESSAGE);
  const { server, address } = await startListening(config, rt);
  const pin = server.fingerprint ? ` --fingerprint ${server.fingerprint}` : '';
  const mapper = config.upnp
    ? startPortMapping(
        config.server.host,
        address,
        {
          write: (line) => rt.stderr.write(`* ${line}\n`),
          // `write` adds the "* " of the chat's notice lines.
          joinHint: (external) => `others on the internet join with: tincan join ${external} ${config.room}${pin}`,
        },
        config.stun,
      )
    : null;
  const stopAdvertising = config.advertise
    ? await advertiseRooms(server, address.tcpPort, config.server.host, rt)
    : async () => {};
  try {
    const shown = formatHostAddress({ host: address.host, port: address.tcpPort });
    const udp = address.udpPort === address.tcpPort ? '' : ` --udp-port ${address.udpPort}`;
    const banner = [
      `* server listening on ${shown} (UDP port ${address.udpPort})`,
      ...(server.fingerprint ? [`* host certificate fingerprint: ${server.fingerprint}`] : []),
      `* others join with: tincan join <this machine's address>:${address.tcpPort} ${config.room}${udp}${pin}`,
    ];
    const request = {
      mode: 'create' as const,
      host: loopbackFor(address.host),
      port: address.tcpPort,
      udpPort: address.udpPort,
      room: config.room,
      ...(config.name !== undefined ? { name: config.name } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.cipher !== undefined ? { cipher: config.cipher } : {}),
      // Our own server, over loopback: its certificate is known, not learned.
      ...(server.fingerprint ? { fingerprint: server.fingerprint } : {}),
    };
    const code = await runChat(request, rt, { banner });
    await waitForRoomGone(server, config.room);
    return code;
  } finally {
    await stopAdvertising();
    await Promise.all([server.close(), mapper?.close()]);
  }
}
