// "Make this room reachable from the internet" for the embedded server: one port mapper for the one
// server (all hosted rooms share its port), started by the first room that asks, stopped (mappings
// deleted) with the server. Its status reaches the rooms' invite panels through `onChange`. When the
// user named a STUN server, the mapper also asks it once, as the CLI's `--stun` does (double NAT).
import type { PortMappingView } from '../../src-shared/ipc/contract.js';
import {
  invitableAddress,
  portMappingLine,
  type PortMappingStatus,
} from '../../src-shared/reach/port-mapping-status.js';
import { readStunServer } from '../../src-shared/reach/stun-server.js';
import { PortMapper, type PortMapperOptions } from '../reach/port-mapping/index.js';
import type { ListenInfo } from './factories.js';
import type { Logger } from './logger.js';

/** Tests point the mapper at a gateway of their choice and shorten its waits; STUN comes from the preference. */
export type PortMapperTuning = Omit<PortMapperOptions, 'tcpPort' | 'udpPort' | 'bindAddress' | 'stunServer'>;

export class HostedPortMapping {
  private mapper: PortMapper | null = null;
  private port = 0;

  constructor(
    private readonly onChange: () => void,
    private readonly log: Logger,
    private readonly tuning: PortMapperTuning = {},
    /** The preference's text, read when a mapping starts ('' = no STUN check). */
    private readonly stunServer: () => string = () => '',
  ) {}

  /** Starts mapping the server's ports unless already doing so; never waits for the router. */
  ensure(bindHost: string, info: ListenInfo): void {
    if (this.mapper && this.port === info.tcpPort) return;
    void this.stop();
    const mapper = new PortMapper({
      description: `Tincan ${info.tcpPort}`,
      ...this.tuning,
      ...this.stunOption(),
      tcpPort: info.tcpPort,
      udpPort: info.udpPort,
      bindAddress: bindHost,
    });
    this.mapper = mapper;
    this.port = info.tcpPort;
    mapper.on('status', (status: PortMappingStatus) => {
      if (this.mapper !== mapper) return;
      const { kind, method, detail, stunAddress } = status;
      this.log.info('port-mapping', { kind, method, detail, stunAddress });
      this.onChange();
    });
    void mapper.start();
  }

  /** What the invite panel shows, or null when nobody asked for a mapping. */
  view(): PortMappingView | null {
    if (!this.mapper) return null;
    const status = this.mapper.status;
    return { kind: status.kind, line: portMappingLine(status, this.port), externalAddress: invitableAddress(status) };
  }

  /** Deletes the mappings (TCP and UDP); the rooms' shares lose the mapping. */
  async stop(): Promise<void> {
    const mapper = this.mapper;
    this.mapper = null;
    if (mapper) await mapper.close();
  }

  private stunOption(): Pick<PortMapperOptions, 'stunServer'> {
    const text = this.stunServer().trim();
    if (text === '') return {};
    const read = readStunServer(text);
    // The preference is checked when saved and when loaded; a bad one here is skipped, not fatal.
    if ('problem' in read) {
      this.log.warn('stun-server-ignored', { problem: read.problem });
      return {};
    }
    return { stunServer: read.server };
  }
}
