// Floods the link with announcements for the flood test: `count` well-formed rooms under distinct
// instance names, plus malformed ones (a refused room name, version not first, a port of 0), all with
// huge TTLs. Run inside a test namespace; prints "sent N" after the first round and keeps flooding
// until killed, so a browser started later hears it too.
import { SERVICE_DOMAIN } from '../../src-main/service/nearby/mdns-records.js';
import { MdnsTransport, type DnsPacket } from '../../src-main/service/nearby/mdns-transport.js';

const count = Number(process.argv[2] ?? '300');
const transport = await MdnsTransport.open();

function room(i: number, txt: string[], port = 4000 + i, ttl = 4_000_000): DnsPacket {
  const name = `junk ${i}.${SERVICE_DOMAIN}`;
  return {
    type: 'response',
    answers: [
      { name: SERVICE_DOMAIN, type: 'PTR', ttl, data: name },
      { name, type: 'SRV', ttl, data: { port, target: `junk${i}.local`, priority: 0, weight: 0 } },
      { name, type: 'TXT', ttl, data: txt },
    ],
  };
}

async function round(): Promise<number> {
  let sent = 0;
  for (let i = 0; i < count; i++) {
    await transport.send(room(i, ['v=1', `room=junk ${i}`, 'pw=0']));
    await transport.send(room(i + count, ['v=1', 'room=\u202eevil', 'pw=0']));
    await transport.send(room(i + 2 * count, ['room=first', 'v=1', 'pw=0']));
    await transport.send(room(i + 3 * count, ['v=1', 'room=zero port', 'pw=0'], 0));
    sent += 4;
  }
  return sent;
}

process.stdout.write(`sent ${await round()}\n`);
for (;;) await round();
