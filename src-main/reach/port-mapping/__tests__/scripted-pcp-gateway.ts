// A scripted PCP server on a loopback UDP socket for the mapper's tests: real datagrams in RFC 6887
// bytes, every MAP request recorded (nonce, lifetime, ports), answers shaped by a script (result code,
// granted lifetime, outside address, junk sent first, or NAT-PMP only).
import { createSocket, type Socket } from 'node:dgram';

export interface MapRequest {
  protocol: 'TCP' | 'UDP';
  lifetime: number;
  client: string;
  nonce: string;
  internalPort: number;
  externalPort: number;
}

export interface Script {
  externalAddress?: string;
  /** The result code of every create (lifetime > 0) request. */
  result?: number;
  /** The lifetime granted to a create (default: the one asked for). */
  grantLifetime?: number;
  /** Answer PCP with a version-1 "unsupported version" header, and NAT-PMP properly. */
  onlyNatPmp?: boolean;
  /** Before each real answer, send these datagrams (built from the real one). */
  junk?: ((real: Buffer) => Buffer)[];
}

const gateways: Socket[] = [];

/** Closes every gateway started so far (tests call it after each case). */
export function closeScriptedPcpGateways(): void {
  for (const g of gateways.splice(0)) g.close();
}

function natPmpAnswer(msg: Buffer, externalAddress: string): Buffer {
  const op = msg.readUInt8(1);
  if (op === 0) {
    const reply = Buffer.alloc(12);
    reply.writeUInt8(128, 1);
    externalAddress.split('.').forEach((o, i) => reply.writeUInt8(Number(o), 8 + i));
    return reply;
  }
  const reply = Buffer.alloc(16);
  reply.writeUInt8(128 + op, 1);
  msg.copy(reply, 8, 4, 8); // internal and external port as asked
  reply.writeUInt32BE(msg.readUInt32BE(8), 12);
  return reply;
}

export async function scriptedPcpGateway(
  script: Script,
): Promise<{ port: number; requests: MapRequest[]; natPmp: number }> {
  const socket = createSocket('udp4');
  gateways.push(socket);
  const state = { port: 0, requests: [] as MapRequest[], natPmp: 0 };
  const externalAddress = script.externalAddress ?? '203.0.113.9';
  socket.on('message', (msg, from) => {
    const send = (b: Buffer): void => void socket.send(b, from.port, from.address);
    if (msg.readUInt8(0) === 0) {
      state.natPmp += 1;
      if (script.onlyNatPmp) send(natPmpAnswer(msg, externalAddress));
      return;
    }
    if (script.onlyNatPmp) {
      const header = Buffer.alloc(24);
      header.writeUInt8(1, 0);
      header.writeUInt8(0x81, 1);
      header.writeUInt8(1, 3);
      send(header);
      return;
    }
    const lifetime = msg.readUInt32BE(4);
    const request: MapRequest = {
      protocol: msg.readUInt8(36) === 6 ? 'TCP' : 'UDP',
      lifetime,
      client: [...msg.subarray(20, 24)].join('.'),
      nonce: msg.subarray(24, 36).toString('hex'),
      internalPort: msg.readUInt16BE(40),
      externalPort: msg.readUInt16BE(42),
    };
    state.requests.push(request);
    const reply = Buffer.alloc(60);
    msg.copy(reply, 24, 24, 60); // nonce, protocol, internal port, suggestions
    reply.writeUInt8(2, 0);
    reply.writeUInt8(0x81, 1);
    const result = lifetime === 0 ? 0 : (script.result ?? 0);
    reply.writeUInt8(result, 3);
    reply.writeUInt32BE(lifetime === 0 ? 0 : (script.grantLifetime ?? lifetime), 4);
    reply.writeUInt32BE(500, 8);
    reply.fill(0, 44, 60);
    reply.writeUInt16BE(0xffff, 54);
    externalAddress.split('.').forEach((o, i) => reply.writeUInt8(Number(o), 56 + i));
    for (const make of script.junk ?? []) send(make(reply));
    send(reply);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  state.port = socket.address().port;
  return state;
}
