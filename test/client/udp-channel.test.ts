// The client's UDP socket asks for a receive buffer that holds a burst: the OS default drops a
// room's catch-up or a busy moment while the app is busy drawing. Real sockets on loopback.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openUdpChannel, UDP_RECV_BUFFER_BYTES } from '../../src-main/engine/client/udp-channel.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** Linux's cap on what a process may ask for without privileges (the request is cut to it silently). */
function linuxCap(): number | null {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  } catch {
    return null;
  }
}

describe('client UDP channel', () => {
  it('asks for a receive buffer of its own size (as far as the OS allows)', async () => {
    const server = createSocket('udp4');
    sockets.push(server);
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const socket = await openUdpChannel({
      server: { address: '127.0.0.1', family: 4 },
      remotePort: server.address().port,
      localPort: 0,
      onDatagram: () => undefined,
      onError: () => undefined,
    });
    sockets.push(socket);
    const expected = Math.min(UDP_RECV_BUFFER_BYTES, linuxCap() ?? UDP_RECV_BUFFER_BYTES);
    // Linux reports twice what was set (its bookkeeping overhead); other systems what was set.
    expect(socket.getRecvBufferSize()).toBeGreaterThanOrEqual(expected);
  });
});
