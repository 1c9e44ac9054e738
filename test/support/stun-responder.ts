// A tiny STUN server for tests (RFC 8489 Binding, no authentication): every Binding request gets a
// success answer with XOR-MAPPED-ADDRESS set to the address and port it came from, plus a SOFTWARE
// attribute (comprehension-optional, which clients must skip). Written apart from the client's codec
// (src-main/reach/stun) so a mistake there is not mirrored here. Anything else is dropped.
import { createSocket, type Socket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const SOFTWARE = Buffer.from('tincan test STUN');

export interface StunResponder {
  port: number;
  /** Binding requests answered so far. */
  answered(): number;
  close(): Promise<void>;
}

function answer(request: Buffer, from: { address: string; port: number }): Buffer | null {
  if (request.length < 20 || request.readUInt16BE(0) !== 0x0001 || request.readUInt32BE(4) !== MAGIC_COOKIE) {
    return null;
  }
  const xorAddress = Buffer.alloc(12);
  xorAddress.writeUInt16BE(0x0020, 0);
  xorAddress.writeUInt16BE(8, 2);
  xorAddress.writeUInt8(0x01, 5);
  xorAddress.writeUInt16BE(from.port ^ 0x2112, 6);
  const ip = from.address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  xorAddress.writeUInt32BE((ip ^ MAGIC_COOKIE) >>> 0, 8);
  const software = Buffer.alloc(4 + Math.ceil(SOFTWARE.length / 4) * 4);
  software.writeUInt16BE(0x8022, 0);
  software.writeUInt16BE(SOFTWARE.length, 2);
  SOFTWARE.copy(software, 4);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0101, 0);
  header.writeUInt16BE(xorAddress.length + software.length, 2);
  request.copy(header, 4, 4, 20); // cookie and transaction id
  return Buffer.concat([header, xorAddress, software]);
}

/**
 * Listens on host:port (0: any free port). `seenAs` answers with that address instead of the
 * sender's, as a server behind the lab's NATs would see it: loopback tests have no other source.
 */
export async function startStunResponder(host: string, port = 0, seenAs?: string): Promise<StunResponder> {
  const socket: Socket = createSocket('udp4');
  let answered = 0;
  socket.on('message', (msg, from) => {
    const reply = answer(msg, { address: seenAs ?? from.address, port: from.port });
    if (!reply) return;
    answered += 1;
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return {
    port: socket.address().port,
    answered: () => answered,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
