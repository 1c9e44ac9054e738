// `--upnp` for `serve` and `host`: ask the router for the ports in the background (hosting never
// waits for it), print the one-line status and the address to invite people on the internet with,
// and remove the mappings on the way out.
import { invitableAddress, portMappingLine } from '../src-shared/reach/port-mapping-status.js';
import { PortMapper } from '../src-main/reach/port-mapping/index.js';
import type { StunServerAddress } from './options.js';
import type { ListeningAddress } from './runtime.js';

export interface MappingOutput {
  /** Where the lines go: stdout for `serve`, the chat's "* " lines on stderr for `host`. */
  write(line: string): void;
  /** What an outside member types, given the address to invite with. */
  joinHint(externalAddress: string): string;
}

export function startPortMapping(
  bindHost: string,
  address: ListeningAddress,
  out: MappingOutput,
  stun?: StunServerAddress,
): PortMapper {
  const mapper = new PortMapper({
    tcpPort: address.tcpPort,
    udpPort: address.udpPort,
    bindAddress: bindHost,
    description: `Tincan ${address.tcpPort}`,
    ...(stun ? { stunServer: stun } : {}),
  });
  mapper.on('status', (status) => {
    if (status.kind === 'pending') return;
    out.write(`port mapping: ${portMappingLine(status, address.tcpPort)}`);
    const invitable = invitableAddress(status);
    if (invitable !== null) out.write(out.joinHint(invitable));
  });
  void mapper.start();
  return mapper;
}
