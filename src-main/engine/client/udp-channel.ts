// The client's UDP socket: bound locally, connected to the server's UDP port so it hears only the
// server, and gets ICMP "port unreachable" as an ECONNREFUSED error.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { HandshakeError } from './errors.js';
import type { ResolvedServer } from './resolve-server.js';

/**
 * Receive buffer asked for: a room's burst (a catch-up of 100 lines, a busy room) must wait in the
 * kernel while the app is busy drawing, not be dropped. Operating systems' defaults hold only a few
 * hundred small datagrams (Linux ~212 KB of accounted memory, Windows far less); Linux caps the
 * request at net.core.rmem_max without an error.
 */
export const UDP_RECV_BUFFER_BYTES = 1 << 20;

export interface UdpChannelOptions {
  server: ResolvedServer;
  remotePort: number;
  localPort: number;
  onDatagram(bytes: Buffer): void;
  onError(err: NodeJS.ErrnoException): void;
}

/** Resolves with the open socket; rejects with HandshakeError UNREACHABLE when it cannot be opened. */
export function openUdpChannel(options: UdpChannelOptions): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(options.server.family === 6 ? 'udp6' : 'udp4');
    const onBindError = (err: Error): void => {
      socket.close();
      reject(HandshakeError.transport('UNREACHABLE', `cannot open a UDP socket: ${err.message}`, err));
    };
    socket.once('error', onBindError);
    socket.bind(options.localPort, () => {
      socket.connect(options.remotePort, options.server.address, () => {
        socket.off('error', onBindError);
        try {
          socket.setRecvBufferSize(UDP_RECV_BUFFER_BYTES);
        } catch {
          // Refused by the OS: the default buffer still works, it only drops sooner in a burst.
        }
        socket.on('error', (err: NodeJS.ErrnoException) => options.onError(err));
        socket.on('message', (msg: Buffer) => options.onDatagram(msg));
        resolve(socket);
      });
    });
  });
}
