// PortMappers aimed at a scripted gateway on loopback (NAT-PMP/PCP port given, UPnP searched briefly),
// each closed after its test, so the gateway tests share one set-up.
import { afterEach } from 'vitest';
import { PortMapper } from '../port-mapper.js';

/** Registers the clean-up in the calling file; returns a maker of mappers for a gateway on 127.0.0.1:port. */
export function loopbackMappers(): (gatewayPort: number) => PortMapper {
  const mappers: PortMapper[] = [];
  afterEach(async () => {
    await Promise.all(mappers.splice(0).map((m) => m.close()));
  });
  return (gatewayPort) => {
    const m = new PortMapper({
      tcpPort: 7777,
      udpPort: 7778,
      natPmpGateway: '127.0.0.1',
      natPmpPort: gatewayPort,
      natPmpTries: 2,
      ssdpSearchMs: 300,
    });
    mappers.push(m);
    return m;
  };
}
