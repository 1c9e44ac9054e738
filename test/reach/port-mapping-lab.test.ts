// Port mapping against a real router: Debian's miniupnpd in a "gw" network namespace between a LAN
// ("host") and an internet ("wan"), built by test/support/nat-lab.ts. Each test builds its own lab
// and removes it. Skips, with the reason, where namespaces or miniupnpd are not available.
import { afterEach, describe, expect, it } from 'vitest';
import { invitableAddress, portMappingLine } from '../../src-shared/reach/port-mapping-status.js';
import type { RoomView } from '../../src-shared/ipc/contract.js';
import { killAll, spawnCli } from '../cli/helpers/cli-process.js';
import { AppBackendAgent } from '../support/app-backend-agent.js';
import {
  LAN_GATEWAY,
  LAN_HOST,
  NatLab,
  natLabUnavailable,
  PRIVATE_WAN,
  PUBLIC_WAN,
  STUN_PORT,
  UPSTREAM,
  type NatRule,
} from '../support/nat-lab.js';
import { MapperProbe } from './mapper-probe-process.js';

const unavailable = natLabUnavailable();
const PORT = 7777;

let lab: NatLab | null = null;
const probes: MapperProbe[] = [];
const apps: AppBackendAgent[] = [];

async function buildLab(gateway: Parameters<NatLab['startGateway']>[0] | null, wan = PUBLIC_WAN): Promise<NatLab> {
  lab = new NatLab(wan);
  lab.build();
  if (gateway) await lab.startGateway(gateway);
  return lab;
}

function probe(l: NatLab, options: Partial<ConstructorParameters<typeof MapperProbe>[1]> = {}): MapperProbe {
  const p = new MapperProbe(l.ns.host, { tcpPort: PORT, udpPort: PORT, natPmpGateway: LAN_GATEWAY, ...options });
  probes.push(p);
  return p;
}

/** Waits for two lease renewals (6 s each at most): the second comes after a first short lease ran out. */
async function twoRenewals(p: MapperProbe): Promise<void> {
  await p.waitFor((e) => e.event === 'renewed', 'the first renewal', 6000);
  await p.waitFor(
    (e): e is { event: 'renewed'; leaseSeconds: number } =>
      e.event === 'renewed' && p.events.filter((x) => x.event === 'renewed').length >= 2,
    'the second renewal',
    6000,
  );
}

/** What miniupnpd's NAT chain holds when the room's port is mapped for both protocols. */
function bothForwarded(port: number): NatRule[] {
  return [
    { protocol: 'TCP', externalPort: port, to: `${LAN_HOST}:${port}` },
    { protocol: 'UDP', externalPort: port, to: `${LAN_HOST}:${port}` },
  ];
}

afterEach(async () => {
  for (const p of probes.splice(0)) p.stop();
  for (const app of apps.splice(0)) {
    app.kill();
    await app.exited;
  }
  await killAll();
  await lab?.teardown();
  lab = null;
});

describe.skipIf(unavailable !== null)(
  `port mapping through miniupnpd${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  { timeout: 60_000 },
  () => {
    it('PCP: TCP and UDP mapped by PCP MAP (the gateway lists them under our nonce), both gone after close', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      const p = probe(l);
      const status = await p.settled();
      expect(status).toMatchObject({ kind: 'mapped', method: 'PCP', externalAddress: PUBLIC_WAN.gateway });
      expect(status.externalPort).toBe(PORT);
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      expect(portMappingLine(status, PORT)).toMatch(new RegExp(`^Mapped via PCP: .*${PUBLIC_WAN.gateway}:${PORT}`));
      // miniupnpd names a PCP mapping after its nonce: one per protocol, so two different names.
      const descriptions = new Set<string>();
      for (const protocol of ['TCP', 'UDP'] as const) {
        const { entry } = await p.entry(protocol, PORT);
        expect(entry).toMatchObject({ internalClient: LAN_HOST, internalPort: PORT });
        expect(entry?.description).toMatch(/^PCP MAP [0-9a-f]{24}$/);
        descriptions.add(entry?.description ?? '');
      }
      expect(descriptions.size).toBe(2);
      expect(l.log).toMatch(/PCP MAP: added mapping TCP 7777->192\.168\.77\.10:7777/);
      expect(l.log).not.toMatch(/NAT-PMP.*7777/);

      // miniupnpd deletes a PCP mapping only when the delete carries the same nonce.
      expect(await p.close()).toBe(0);
      expect(l.natRules()).toEqual([]);
      expect(l.log).toMatch(/PCP: TCP port 7777 mapping removed/);
      expect(l.log).toMatch(/PCP: UDP port 7777 mapping removed/);
    });

    it('PCP leases are renewed at half their life with the same nonce', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      const p = probe(l, { leaseSeconds: 4 });
      expect((await p.settled()).method).toBe('PCP');
      const before = (await p.entry('TCP', PORT)).entry?.description;
      await twoRenewals(p);
      expect((await p.entry('TCP', PORT)).entry?.description).toBe(before);
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      await p.close();
      expect(l.natRules()).toEqual([]);
    });

    it('a router whose PCP is off (PCP dropped, UPnP off): NAT-PMP maps both, and both are gone after close', async () => {
      const l = await buildLab({ natPmp: true, upnp: false, dropPcp: true });
      const p = probe(l);
      const status = await p.settled();
      expect(status).toMatchObject({ kind: 'mapped', method: 'NAT-PMP', externalAddress: PUBLIC_WAN.gateway });
      expect(status.externalPort).toBe(PORT);
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      expect(portMappingLine(status, PORT)).toContain(
        `via NAT-PMP: people on the internet can join at ${PUBLIC_WAN.gateway}:${PORT}`,
      );
      expect(l.log).not.toMatch(/PCP MAP/);

      await p.close();
      expect(l.natRules()).toEqual([]);
    });

    it('UPnP IGDv2 (PCP and NAT-PMP off): mapped with a lease, listed by the gateway, both protocols deleted on close', async () => {
      const l = await buildLab({ natPmp: false, upnp: true });
      const p = probe(l, { natPmpTries: 1 });
      const status = await p.settled();
      expect(status).toMatchObject({ kind: 'mapped', method: 'UPnP IGDv2', externalAddress: PUBLIC_WAN.gateway });
      for (const protocol of ['TCP', 'UDP'] as const) {
        const { entry } = await p.entry(protocol, PORT);
        expect(entry).toMatchObject({ internalClient: LAN_HOST, internalPort: PORT });
        expect(entry?.leaseSeconds).toBeGreaterThan(7000);
      }
      expect(l.natRules()).toEqual(bothForwarded(PORT));

      await p.close();
      expect(l.natRules()).toEqual([]);
      expect((await p.entry('UDP', PORT)).error).toMatch(/714/);
    });

    it('an IGDv1-only router is mapped with AddPortMapping', async () => {
      const l = await buildLab({ natPmp: false, upnp: true, igdV1Only: true });
      const p = probe(l, { natPmpTries: 1 });
      const status = await p.settled();
      expect(status).toMatchObject({ kind: 'mapped', method: 'UPnP IGDv1', externalAddress: PUBLIC_WAN.gateway });
      expect(portMappingLine(status, PORT)).toContain(
        `Mapped via UPnP IGDv1: people on the internet can join at ${PUBLIC_WAN.gateway}:${PORT}`,
      );
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      await p.close();
      expect(l.natRules()).toEqual([]);
    });

    it('a router with port mapping off (no PCP, no NAT-PMP, no UPnP): "no router answered", LAN only', async () => {
      // miniupnpd refuses to run with both services off ("Why did you run me anyway?"): the router is
      // the namespace's NAT alone, which is what a router with both switched off looks like.
      const l = await buildLab(null);
      const p = probe(l, { natPmpTries: 2, ssdpSearchMs: 1500 });
      const status = await p.settled();
      expect(status.kind).toBe('no-gateway');
      expect(portMappingLine(status, PORT)).toMatch(/^No router answered .*forward TCP and UDP port 7777/);
    });

    it('a router with port mapping off: tincan serve --upnp says so in one line and keeps hosting', async () => {
      const l = await buildLab(null);
      const serve = spawnCli(['serve', '--port', '0', '--upnp', '--log-level', 'warn'], { netns: l.ns.host });
      const port = Number((await serve.waitForLine('stdout', /^tincan server listening on 0\.0\.0\.0:(\d+) /))[1]);
      await serve.waitForLine('stdout', new RegExp(`^port mapping: No router answered .*port ${port} `), 20_000);
      const member = spawnCli(['create', `${LAN_HOST}:${port}`, 'porch', '--name', 'near'], { netns: l.ns.host });
      await member.waitForLine('stderr', /^\* connected to room "porch" as near/);
      serve.signal('SIGTERM');
      expect((await serve.waitForExit()).code).toBe(0);
    });

    it('UPnP error 725 (permanent leases only): retried with lease 0 for TCP and UDP, both deleted on close', async () => {
      // A scripted IGDv1 in the router (miniupnpd never answers 725); nothing listens on 5351 there.
      const l = await buildLab(null);
      const igd = await l.startScriptedIgd();
      const p = probe(l, { natPmpTries: 1, ssdpSearchMs: 1500 });
      const status = await p.settled();
      expect(status).toMatchObject({ kind: 'mapped', method: 'UPnP IGDv1', externalAddress: PUBLIC_WAN.gateway });
      const mapping = { externalPort: PORT, internalClient: LAN_HOST };
      expect(igd.actions()).toEqual([
        { action: 'GetExternalIPAddress', error: 0 },
        { action: 'AddPortMapping', protocol: 'TCP', ...mapping, lease: 7200, error: 725 },
        { action: 'AddPortMapping', protocol: 'TCP', ...mapping, lease: 0, error: 0 },
        { action: 'AddPortMapping', protocol: 'UDP', ...mapping, lease: 0, error: 0 },
      ]);

      await p.close();
      const deletes = (await igd.waitForActions(6)).slice(4);
      expect(deletes).toEqual(
        expect.arrayContaining([
          { action: 'DeletePortMapping', protocol: 'TCP', externalPort: PORT, error: 0 },
          { action: 'DeletePortMapping', protocol: 'UDP', externalPort: PORT, error: 0 },
        ]),
      );
      expect(deletes).toHaveLength(2);
    });

    it('a router whose outside address is private reports double NAT', async () => {
      const l = await buildLab({ natPmp: true, upnp: true }, PRIVATE_WAN);
      const p = probe(l);
      const status = await p.settled();
      expect(status.kind).toBe('double-nat');
      expect(portMappingLine(status, PORT)).toMatch(/^Double NAT: .*another router upstream/);
      expect(l.natRules()).toEqual([]);
    });

    it('STUN cross-check agrees: serve --upnp --stun says mapped, and that a STUN server sees the same address', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      await l.startStunServer(l.ns.wan, PUBLIC_WAN.outside);
      const serve = spawnCli(
        ['serve', '--port', '0', '--upnp', '--stun', `${PUBLIC_WAN.outside}:${STUN_PORT}`, '--log-level', 'warn'],
        { netns: l.ns.host },
      );
      const port = Number((await serve.waitForLine('stdout', /^tincan server listening on 0\.0\.0\.0:(\d+) /))[1]);
      await serve.waitForLine(
        'stdout',
        new RegExp(
          `^port mapping: Mapped via PCP: people on the internet can join at ${PUBLIC_WAN.gateway.replace(/\./g, '\\.')}:${port}; a STUN server sees the same outside address;`,
        ),
        15_000,
      );
      await serve.waitForLine('stdout', /^others on the internet join with: tincan join /);
      serve.signal('SIGTERM');
      expect((await serve.waitForExit()).code).toBe(0);
      expect(l.natRules()).toEqual([]);
    });

    it('STUN cross-check disagrees (the router behind a second NAT): double NAT, with both addresses, nothing to invite with', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      l.addUpstreamNat();
      await l.startStunServer(l.ns.far, UPSTREAM.far);
      const p = probe(l, { stunServer: { host: UPSTREAM.far, port: STUN_PORT } });
      const status = await p.settled();
      // The router maps and reports its own outside address; the STUN server sees the upstream NAT's.
      expect(status).toMatchObject({
        kind: 'double-nat',
        method: 'PCP',
        externalAddress: PUBLIC_WAN.gateway,
        stunAddress: UPSTREAM.wan,
      });
      expect(portMappingLine(status, PORT)).toBe(
        `Double NAT: the router via PCP reports the outside address ${PUBLIC_WAN.gateway}, but a STUN server sees ${UPSTREAM.wan}, so another router or the provider’s NAT sits upstream and people on the internet cannot join at either address; forward the port on that router too, or use IPv6. LAN members can join.`,
      );
      expect(invitableAddress(status)).toBeNull();
      await p.close();
      expect(l.natRules()).toEqual([]);
    });

    it('the app with a STUN server named, the router behind a second NAT: the invite panel says double NAT', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      l.addUpstreamNat();
      await l.startStunServer(l.ns.far, UPSTREAM.far);
      const app = new AppBackendAgent(l.ns.host);
      apps.push(app);
      await app.ready();
      // The Host form saves the preference before hosting; the backend reads it when the mapping starts.
      await app.request('setPrefs', { stunServer: `${UPSTREAM.far}:${STUN_PORT}` });
      const since = app.mark();
      const view = (await app.request('hostRoom', {
        room: 'porch',
        username: 'al',
        password: '',
        port: PORT,
        bindHost: '0.0.0.0',
        upnp: true,
      })) as RoomView;
      const settled = await app.waitForRoom(
        (v) => v.id === view.id && v.share?.portMapping?.kind === 'double-nat',
        since,
      );
      expect(settled.share?.portMapping).toEqual({
        kind: 'double-nat',
        line: `Double NAT: the router via PCP reports the outside address ${PUBLIC_WAN.gateway}, but a STUN server sees ${UPSTREAM.wan}, so another router or the provider’s NAT sits upstream and people on the internet cannot join at either address; forward the port on that router too, or use IPv6. LAN members can join.`,
        externalAddress: null,
      });
      expect(settled.share?.addresses.join(' ')).not.toContain(PUBLIC_WAN.gateway);
      // The router did map (the check only explains why that is not enough); closing unmaps.
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      await app.request('closeRoom', { roomId: view.id });
      expect(l.natRules()).toEqual([]);
    });

    it('leases are renewed at half their life and the mapping outlives the first lease', async () => {
      const l = await buildLab({ natPmp: false, upnp: true });
      const p = probe(l, { natPmpTries: 1, leaseSeconds: 4 });
      expect((await p.settled()).kind).toBe('mapped');
      const mappedAt = Date.now();
      // Two renewals: the second comes after the first 4 s lease would have run out.
      await twoRenewals(p);
      expect(Date.now() - mappedAt).toBeGreaterThanOrEqual(3500);
      const { entry } = await p.entry('TCP', PORT);
      expect(entry).toMatchObject({ internalClient: LAN_HOST, internalPort: PORT });
      expect(l.natRules()).toEqual(bothForwarded(PORT));
    });

    it('the app: the invite leads with the outside address, an outside member joins; closing and quitting unmap', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      const app = new AppBackendAgent(l.ns.host);
      apps.push(app);
      await app.ready();
      const outsideAddress = `${PUBLIC_WAN.gateway}:${PORT}`;
      const host = async (): Promise<RoomView> => {
        const since = app.mark();
        const view = (await app.request('hostRoom', {
          room: 'porch',
          username: 'al',
          password: '',
          port: PORT,
          bindHost: '0.0.0.0',
          upnp: true,
        })) as RoomView;
        return app.waitForRoom((v) => v.id === view.id && v.share?.portMapping?.kind === 'mapped', since);
      };

      const mapped = await host();
      expect(mapped.share?.portMapping).toMatchObject({ externalAddress: outsideAddress });
      expect(mapped.share?.portMapping?.line).toMatch(/^Mapped via PCP/);
      expect(mapped.share?.addresses[0]).toBe(outsideAddress);
      expect(mapped.share?.invite).toContain(`tincan://join?v=1&host=${PUBLIC_WAN.gateway}&port=${PORT}&room=porch`);
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      const outside = spawnCli(['join', outsideAddress, 'porch', '--name', 'far', '--password', ''], {
        netns: l.ns.wan,
      });
      await outside.waitForLine('stderr', /^\* connected to room "porch" as far/);
      await app.waitForRoom((v) => v.id === mapped.id && v.members.some((m) => m.name === 'far'));
      // Chat both ways through the router: the outside member's line reaches the app, the host's reaches it.
      outside.writeLine('hello from the internet');
      await app.waitForMessage(
        mapped.id,
        (e) => e.kind === 'chat' && e.from === 'far' && e.text === 'hello from the internet',
      );
      await app.request('sendMessage', { roomId: mapped.id, text: 'hello from the LAN' });
      await outside.waitForLine('stdout', /^al: hello from the LAN$/);

      // Closing the last hosted room stops the server and deletes both mappings.
      await app.request('closeRoom', { roomId: mapped.id });
      expect(l.natRules()).toEqual([]);

      // Quitting the app with a mapped room deletes them too.
      await host();
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      app.quit();
      await app.exited;
      expect(l.natRules()).toEqual([]);
    });

    it('tincan host --upnp: mapped while the host is in the room, unmapped when it leaves', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      const host = spawnCli(['host', 'porch', '--name', 'al', '--password', '', '--port', String(PORT), '--upnp'], {
        netns: l.ns.host,
      });
      await host.waitForLine('stderr', /^\* port mapping: Mapped via PCP/, 15_000);
      await host.waitForLine(
        'stderr',
        new RegExp(
          `^\\* others on the internet join with: tincan join ${PUBLIC_WAN.gateway.replace(/\./g, '\\.')}:${PORT} porch --fingerprint [0-9a-f]{64}$`,
        ),
      );
      expect(l.natRules()).toEqual(bothForwarded(PORT));
      host.endInput();
      expect((await host.waitForExit()).code).toBe(0);
      expect(l.natRules()).toEqual([]);
    });

    it('tincan serve --upnp: an outside member joins through the router and chats; quitting unmaps', async () => {
      const l = await buildLab({ natPmp: true, upnp: true });
      const serve = spawnCli(['serve', '--port', '0', '--upnp', '--log-level', 'warn'], { netns: l.ns.host });
      const port = Number((await serve.waitForLine('stdout', /^tincan server listening on 0\.0\.0\.0:(\d+) /))[1]);
      await serve.waitForLine('stdout', /^port mapping: Mapped via PCP/, 15_000);
      await serve.waitForLine(
        'stdout',
        new RegExp(
          `^others on the internet join with: tincan join ${PUBLIC_WAN.gateway.replace(/\./g, '\\.')}:${port} <room>$`,
        ),
      );

      const outside = spawnCli(['create', `${PUBLIC_WAN.gateway}:${port}`, 'porch', '--name', 'far'], {
        netns: l.ns.wan,
      });
      await outside.waitForLine('stderr', /^\* connected to room "porch" as far/);
      const inside = spawnCli(['join', `127.0.0.1:${port}`, 'porch', '--name', 'near'], { netns: l.ns.host });
      await inside.waitForLine('stderr', /^\* connected to room "porch" as near/);
      outside.writeLine('hello from the internet');
      await inside.waitForLine('stdout', /^far: hello from the internet$/);
      inside.writeLine('hello from the LAN');
      await outside.waitForLine('stdout', /^near: hello from the LAN$/);

      serve.signal('SIGTERM');
      expect((await serve.waitForExit()).code).toBe(0);
      expect(l.natRules()).toEqual([]);
    });
  },
);
