// Making a hosted room reachable from the internet: ask the gateway for TCP and UDP mappings
// (PCP first, then NAT-PMP, then UPnP IGDv2, then IGDv1), learn its outside address, renew the leases
// at half their life, and delete both mappings on close. Never throws: every failure becomes a status line,
// and hosting goes on without the mapping.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isIPv4 } from 'node:net';
import {
  emptyStatus,
  type PortMappingKind,
  type PortMappingStatus,
} from '../../../src-shared/reach/port-mapping-status.js';
import { unmappableBindReason } from '../../../src-shared/reach/mappable-bind.js';
import { defaultGateway } from './default-gateway.js';
import { externalAddressKind } from './ipv4-class.js';
import { REQUESTED_LEASE_SECONDS, type MappingMethod, type MappingProtocol } from './mapping-types.js';
import { natPmpExternalAddress, natPmpMap, type NatPmpGateway } from './nat-pmp-client.js';
import { NatPmpError } from './nat-pmp-codec.js';
import { pcpMap, PcpVersionMismatch, type PcpGateway } from './pcp-client.js';
import { PCP_NONCE_BYTES, PcpError } from './pcp-codec.js';
import { NoAnswerError } from '../udp-exchange.js';
import { stunMappedAddress, type StunServer } from '../stun/stun-client.js';
import { crossChecked, type StunOutcome } from './stun-cross-check.js';
import { UpnpError } from './soap-call.js';
import {
  addUpnpMapping,
  deleteUpnpMapping,
  findUpnpGateway,
  upnpExternalAddress,
  type UpnpGateway,
} from './upnp-gateway.js';

/** UPnP error 725: the gateway keeps only permanent mappings (lease 0), which we delete ourselves. */
const ONLY_PERMANENT_LEASES = 725;
/** NAT-PMP result 3: the gateway has no outside address (miniupnpd says so for a private one). */
const NAT_PMP_NO_OUTSIDE_ADDRESS = 3;
/** PCP results that mean another NAT: no outside address yet (7), or our source rewritten on the way (12). */
const PCP_NETWORK_FAILURE = 7;
const PCP_ADDRESS_MISMATCH = 12;
/** After a failed renewal, try again this soon rather than wait half a lease. */
const RENEW_RETRY_MS = 60_000;

export interface PortMapperOptions {
  /** The room's TCP and UDP ports on this machine. */
  tcpPort: number;
  udpPort: number;
  /** The address the server listens on, when it is one interface (SSDP goes out there). */
  bindAddress?: string;
  /** Shown in the router's mapping list. */
  description?: string;
  leaseSeconds?: number;
  /** PCP and NAT-PMP gateway; the default route's when absent. */
  natPmpGateway?: string;
  /** The gateway's PCP and NAT-PMP port: 5351 (tests use a scripted gateway on another port). */
  natPmpPort?: number;
  /** Sends of each PCP and NAT-PMP request before giving up on the protocol. */
  natPmpTries?: number;
  ssdpSearchMs?: number;
  /** `--stun host:port`: compare the router's outside address with what this STUN server sees. */
  stunServer?: StunServer;
}

interface Held {
  protocol: MappingProtocol;
  internalPort: number;
  externalPort: number;
  /** PCP: the mapping's nonce, sent again with every renewal and the delete (RFC 6887 §11.2). */
  nonce: Uint8Array;
}

type Session =
  | { method: 'PCP'; gateway: PcpGateway; externalAddress: string | null }
  | { method: 'NAT-PMP'; gateway: NatPmpGateway }
  | { method: Exclude<MappingMethod, 'PCP' | 'NAT-PMP'>; gateway: UpnpGateway; internalClient: string };

export interface PortMapperEvents {
  status: [PortMappingStatus];
  renewed: [{ leaseSeconds: number }];
}

export class PortMapper extends EventEmitter<PortMapperEvents> {
  private current: PortMappingStatus = emptyStatus('pending');
  private session: Session | null = null;
  private held: Held[] = [];
  private leaseSeconds = 0;
  private renewTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private starting: Promise<PortMappingStatus> | null = null;
  private ignored = 0;

  constructor(private readonly options: PortMapperOptions) {
    super();
    this.leaseSeconds = options.leaseSeconds ?? REQUESTED_LEASE_SECONDS;
  }

  get status(): PortMappingStatus {
    return this.current;
  }

  /** Datagrams from the gateway's PCP/NAT-PMP port that answered nothing we asked (ignored). */
  get ignoredGatewayReplies(): number {
    return this.ignored;
  }

  /** Asks for the mappings; resolves with the resulting status (never rejects). */
  start(): Promise<PortMappingStatus> {
    this.starting ??= this.establish().catch((err: unknown) =>
      this.publish({ ...emptyStatus('refused', describe(err)) }),
    );
    return this.starting;
  }

  /** Stops renewing and deletes every mapping we hold (TCP and UDP). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    await this.starting?.catch(() => {});
    await this.releaseAll();
    this.publish(emptyStatus('lan-only', 'the mapping was removed'));
  }

  private publish(status: PortMappingStatus): PortMappingStatus {
    this.current = status;
    this.emit('status', status);
    return status;
  }

  private async establish(): Promise<PortMappingStatus> {
    const unmappable = unmappableBindReason(this.options.bindAddress ?? '');
    if (unmappable) return this.publish(emptyStatus('lan-only', unmappable));
    this.publish(emptyStatus('pending'));
    // Asked alongside the router, so the check adds no wait of its own.
    const stun = this.askStun();
    const udpGateway = await this.udpGateway();
    // PCP, then NAT-PMP: the first that maps wins; otherwise the first that answered explains why.
    let earlier: PortMappingStatus | null = null;
    for (const attempt of udpGateway ? [() => this.tryPcp(udpGateway), () => this.tryNatPmp(udpGateway)] : []) {
      const outcome = await attempt();
      if (this.held.length > 0) {
        earlier = outcome;
        break;
      }
      earlier ??= outcome;
    }
    let status = earlier;
    if (this.held.length === 0) {
      // Neither mapped: UPnP may still be on; a refusal says more than "no gateway".
      const viaUpnp = await this.tryUpnp();
      status = viaUpnp.kind === 'no-gateway' && earlier ? earlier : viaUpnp;
    }
    if (this.closed) {
      await this.releaseAll();
      return this.current;
    }
    if (this.held.length > 0) this.scheduleRenewal(this.leaseSeconds);
    const decided = status ?? emptyStatus('no-gateway');
    return this.publish(stun ? crossChecked(decided, await stun) : decided);
  }

  private askStun(): Promise<StunOutcome> | null {
    const server = this.options.stunServer;
    if (!server) return null;
    return stunMappedAddress(server).then(
      ({ address }) => ({ address }),
      (err: unknown) => ({ problem: `${server.host}:${server.port}: ${describe(err)}` }),
    );
  }

  /** Where PCP and NAT-PMP requests go, or null when there is no IPv4 default gateway. */
  private async udpGateway(): Promise<NatPmpGateway | null> {
    const address = this.options.natPmpGateway ?? (await defaultGateway());
    if (!address || !isIPv4(address)) return null;
    return {
      address,
      ...(this.options.natPmpPort ? { port: this.options.natPmpPort } : {}),
      onIgnored: () => void (this.ignored += 1),
    };
  }

  /** PCP: null when the router does not speak it (go on to NAT-PMP), else the outcome. */
  private async tryPcp(gateway: PcpGateway): Promise<PortMappingStatus | null> {
    const session: Session = { method: 'PCP', gateway, externalAddress: null };
    this.session = session;
    try {
      await this.mapBoth();
    } catch (err) {
      await this.releaseAll();
      this.session = null;
      if (err instanceof NoAnswerError || err instanceof PcpVersionMismatch) return null;
      if (err instanceof PcpError && err.result === PCP_NETWORK_FAILURE) return noPublicAddress('PCP');
      if (err instanceof PcpError && err.result === PCP_ADDRESS_MISMATCH) {
        return { ...emptyStatus('double-nat', describe(err)), method: 'PCP' };
      }
      return { ...emptyStatus('refused', describe(err)), method: 'PCP' };
    }
    return this.outcome('PCP', session.externalAddress);
  }

  /** NAT-PMP: null when no gateway speaks it (go on to UPnP), else the outcome. */
  private async tryNatPmp(gateway: NatPmpGateway): Promise<PortMappingStatus | null> {
    const tries = this.options.natPmpTries ?? 3;
    let external: string;
    try {
      external = (await natPmpExternalAddress(gateway, tries)).address;
    } catch (err) {
      if (err instanceof NoAnswerError) return null;
      if (err instanceof NatPmpError && err.result === NAT_PMP_NO_OUTSIDE_ADDRESS) {
        return noPublicAddress('NAT-PMP');
      }
      return { ...emptyStatus('refused', describe(err)), method: 'NAT-PMP' };
    }
    this.session = { method: 'NAT-PMP', gateway };
    try {
      await this.mapBoth();
    } catch (err) {
      await this.releaseAll();
      return this.refusal('NAT-PMP', external, err);
    }
    return this.outcome('NAT-PMP', external);
  }

  private async tryUpnp(): Promise<PortMappingStatus> {
    const gateway = await findUpnpGateway(this.options.ssdpSearchMs ?? 2000, this.bindIPv4());
    if (!gateway) return emptyStatus('no-gateway');
    const method = gateway.service.version === 2 ? 'UPnP IGDv2' : 'UPnP IGDv1';
    this.session = { method, gateway, internalClient: this.bindIPv4() ?? gateway.localAddress };
    // The outside address first: a private or missing one explains a refusal better than the refusal.
    const external = await upnpExternalAddress(gateway).catch(() => undefined);
    try {
      await this.mapBoth();
    } catch (err) {
      await this.releaseAll();
      if (external === null) return noPublicAddress(method);
      return this.refusal(method, external ?? null, err);
    }
    return this.outcome(method, external ?? null);
  }

  private refusal(method: MappingMethod, external: string | null, err: unknown): PortMappingStatus {
    const kind = external ? classify(external) : 'refused';
    // Behind another NAT the refusal is the consequence; say the cause.
    return { ...emptyStatus(kind === 'mapped' ? 'refused' : kind, describe(err)), method, externalAddress: external };
  }

  private outcome(method: MappingMethod, external: string | null): PortMappingStatus {
    const tcp = this.held.find((h) => h.protocol === 'TCP');
    const udp = this.held.find((h) => h.protocol === 'UDP');
    return {
      kind: external ? classify(external) : 'mapped',
      externalAddress: external,
      externalPort: tcp?.externalPort ?? null,
      externalUdpPort: udp?.externalPort ?? null,
      method,
      detail: null,
      stunAddress: null,
    };
  }

  private bindIPv4(): string | undefined {
    const bind = this.options.bindAddress;
    return bind && isIPv4(bind) && bind !== '0.0.0.0' ? bind : undefined;
  }

  /** TCP first; UDP asks for the same external port so members' default UDP port matches. */
  private async mapBoth(): Promise<void> {
    const tcpExternal = await this.mapOne('TCP', this.options.tcpPort, this.options.tcpPort);
    await this.mapOne('UDP', this.options.udpPort, tcpExternal);
  }

  private async mapOne(protocol: MappingProtocol, internalPort: number, externalPort: number): Promise<number> {
    const session = this.session;
    if (!session) throw new Error('no gateway');
    const held = this.held.find((h) => h.protocol === protocol);
    const nonce = held?.nonce ?? randomBytes(PCP_NONCE_BYTES);
    let granted: number;
    if (session.method === 'PCP') {
      const reply = await pcpMap(
        session.gateway,
        { protocol, internalPort, externalPort, lifetimeSeconds: this.leaseSeconds, nonce },
        this.options.natPmpTries ?? 3,
      );
      if (reply.lifetimeSeconds === 0) throw new Error('the router granted the mapping no lifetime');
      granted = reply.externalPort;
      session.externalAddress = reply.externalAddress;
      this.leaseSeconds = Math.min(this.leaseSeconds, reply.lifetimeSeconds);
    } else if (session.method === 'NAT-PMP') {
      const reply = await natPmpMap(
        session.gateway,
        protocol,
        internalPort,
        externalPort,
        this.leaseSeconds,
        this.options.natPmpTries ?? 3,
      );
      granted = reply.externalPort;
      this.leaseSeconds = Math.min(this.leaseSeconds, reply.lifetimeSeconds);
    } else {
      const request = {
        protocol,
        internalPort,
        externalPort,
        internalClient: session.internalClient,
        leaseSeconds: this.leaseSeconds,
        description: this.options.description ?? `Tincan room port ${internalPort}`,
      };
      try {
        granted = await addUpnpMapping(session.gateway, request);
      } catch (err) {
        if (!(err instanceof UpnpError) || err.code !== ONLY_PERMANENT_LEASES || this.leaseSeconds === 0) throw err;
        // Permanent it is; we delete it on close, and there is nothing to renew.
        this.leaseSeconds = 0;
        granted = await addUpnpMapping(session.gateway, { ...request, leaseSeconds: 0 });
      }
    }
    if (held) held.externalPort = granted;
    else this.held.push({ protocol, internalPort, externalPort: granted, nonce });
    return granted;
  }

  private scheduleRenewal(leaseSeconds: number): void {
    if (this.closed || leaseSeconds === 0) return;
    const delay = Math.max(1000, (leaseSeconds * 1000) / 2);
    this.renewTimer = setTimeout(() => void this.renew(), delay);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    if (this.closed) return;
    try {
      for (const held of [...this.held]) {
        await this.mapOne(held.protocol, held.internalPort, held.externalPort);
      }
      this.emit('renewed', { leaseSeconds: this.leaseSeconds });
      this.scheduleRenewal(this.leaseSeconds);
      const session = this.session;
      // PCP reports the outside address with every answer: a new one (the router redialled) is news.
      if (session?.method === 'PCP' && session.externalAddress !== this.current.externalAddress) {
        this.publish(this.outcome('PCP', session.externalAddress));
      } else if (this.current.kind === 'refused') this.publish({ ...this.current, kind: 'mapped', detail: null });
    } catch (err) {
      if (this.closed) return;
      this.publish({ ...this.current, kind: 'refused', detail: `renewal failed: ${describe(err)}` });
      this.renewTimer = setTimeout(() => void this.renew(), RENEW_RETRY_MS);
      this.renewTimer.unref();
    }
  }

  private async releaseAll(): Promise<void> {
    const session = this.session;
    const held = this.held;
    this.held = [];
    if (!session) return;
    await Promise.all(
      held.map(async (h) => {
        try {
          if (session.method === 'PCP') {
            const ask = { ...h, lifetimeSeconds: 0 };
            await pcpMap(session.gateway, ask, 2);
          } else if (session.method === 'NAT-PMP') {
            await natPmpMap(session.gateway, h.protocol, h.internalPort, 0, 0, 2);
          } else await deleteUpnpMapping(session.gateway, h.protocol, h.externalPort);
        } catch {
          // The gateway forgot it or is gone; a lease ends it otherwise. Nothing more to do on close.
        }
      }),
    );
  }
}

/** A gateway that works but has no public outside address sits behind another NAT. */
function noPublicAddress(method: MappingMethod): PortMappingStatus {
  return { ...emptyStatus('double-nat', 'the router has no public outside address'), method };
}

function classify(external: string): PortMappingKind {
  const kind = externalAddressKind(external);
  return kind === 'public' ? 'mapped' : kind === 'cgnat' ? 'cgnat' : 'double-nat';
}

function describe(err: unknown): string {
  if (err instanceof UpnpError || err instanceof NatPmpError || err instanceof PcpError) return err.message;
  return err instanceof Error ? err.message.slice(0, 120) : 'unknown error';
}
