// The app's STUN cross-check through the whole backend: the "STUN server for the reachability check"
// preference is saved over the request dispatcher, a room is hosted with "make this room reachable",
// and the router's answer (a scripted PCP gateway on loopback) meets the STUN server's (our test
// responder on loopback, answering as if it saw 198.51.100.7 from outside). Real datagrams both ways.
// The same check with miniupnpd and a real second NAT runs in test/reach/port-mapping-lab.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiResult, RoomView } from '../../../src-shared/ipc/contract.js';
import { startStunResponder, type StunResponder } from '../../../test/support/stun-responder.js';
import {
  closeScriptedPcpGateways,
  scriptedPcpGateway,
} from '../../reach/port-mapping/__tests__/scripted-pcp-gateway.js';
import { record } from './service-recorder.js';
import { dataFolderFactory, serviceFactory } from './test-services.js';

const newDataFolder = dataFolderFactory();
const newService = serviceFactory();
const responders: StunResponder[] = [];
afterEach(async () => {
  await Promise.all(responders.splice(0).map((r) => r.close()));
  closeScriptedPcpGateways();
});

/** What the STUN responder reports as our outside address. */
const SEEN_AS = '198.51.100.7';

function ok<T>(result: ApiResult<unknown>): T {
  if (!result.ok) throw new Error(`request failed: ${result.code} ${result.message}`);
  return result.value as T;
}

/** A backend whose mapper asks a scripted gateway reporting `routerSays`, with the STUN preference set. */
async function hostBehind(routerSays: string, stunServer: string) {
  const gateway = await scriptedPcpGateway({ externalAddress: routerSays });
  const { service, dispatch } = newDataFolder().start({
    nearby: false,
    portMapper: { natPmpGateway: '127.0.0.1', natPmpPort: gateway.port, natPmpTries: 2, ssdpSearchMs: 300 },
  });
  expect(ok<{ stunServer: string }>(await dispatch('setPrefs', { stunServer })).stunServer).toBe(stunServer);
  const rec = record(service);
  const view = ok<RoomView>(
    await dispatch('hostRoom', {
      room: 'porch',
      username: 'alice',
      password: '',
      port: 0,
      bindHost: '0.0.0.0',
      upnp: true,
    }),
  );
  const mapping = () => rec.views.get(view.id)?.share?.portMapping ?? null;
  // Pending until the router and the STUN server have both answered (or the STUN wait ran out).
  await rec.until('the mapping status', () => !['pending', undefined].includes(mapping()?.kind), 10_000);
  return { view, mapping: mapping(), share: rec.views.get(view.id)?.share, gateway };
}

async function stunResponder(): Promise<StunResponder> {
  const responder = await startStunResponder('127.0.0.1', 0, SEEN_AS);
  responders.push(responder);
  return responder;
}

describe('the app asks the STUN server the user named', () => {
  it('the router reports another outside address than the STUN server sees: double NAT, nothing to invite with', async () => {
    const stun = await stunResponder();
    const { mapping, share, gateway } = await hostBehind('203.0.113.40', `127.0.0.1:${stun.port}`);
    expect(gateway.requests.map((r) => r.protocol).sort()).toEqual(['TCP', 'UDP']);
    expect(stun.answered()).toBeGreaterThanOrEqual(1);
    expect(mapping?.kind).toBe('double-nat');
    expect(mapping?.externalAddress).toBeNull();
    expect(mapping?.line).toMatch(
      /^Double NAT: the router via PCP reports the outside address 203\.0\.113\.40, but a STUN server sees 198\.51\.100\.7, /,
    );
    expect(share?.addresses.join(' ')).not.toContain('203.0.113.40');
  });

  it('they agree: mapped, the invite leads with the outside address and the line says the check passed', async () => {
    const stun = await stunResponder();
    const { mapping, share } = await hostBehind(SEEN_AS, `localhost:${stun.port}`);
    expect(stun.answered()).toBeGreaterThanOrEqual(1);
    expect(mapping?.kind).toBe('mapped');
    expect(mapping?.externalAddress).toMatch(/^198\.51\.100\.7:\d+$/);
    expect(mapping?.line).toContain('a STUN server sees the same outside address');
    expect(share?.addresses[0]).toBe(mapping?.externalAddress);
  });

  it('the STUN server does not answer: hosting works, still mapped, and the line says the check failed', async () => {
    const gone = await startStunResponder('127.0.0.1');
    await gone.close();
    const { view, mapping, share } = await hostBehind(SEEN_AS, `127.0.0.1:${gone.port}`);
    expect(mapping?.kind).toBe('mapped');
    expect(mapping?.line).toMatch(new RegExp(`\\(STUN check failed: 127\\.0\\.0\\.1:${gone.port}: `));
    // A member on this machine joins and is admitted: the check never held hosting up.
    const member = newService();
    const joined = await member.joinRoom({
      address: `127.0.0.1:${share?.port ?? 0}`,
      room: 'porch',
      username: 'bob',
      password: '',
      ...(share?.fingerprint ? { fingerprint: share.fingerprint } : {}),
    });
    expect(joined.state).toBe('connected');
    expect(view.state).toBe('connected');
  });

  it('without the preference no STUN server is asked (the default: off)', async () => {
    const stun = await stunResponder();
    const { mapping } = await hostBehind(SEEN_AS, '');
    expect(mapping?.kind).toBe('mapped');
    expect(mapping?.line).not.toContain('STUN');
    expect(stun.answered()).toBe(0);
  });

  it('a malformed server is refused at the request boundary, in the words the Host form uses', async () => {
    const { dispatch } = newDataFolder().start({ nearby: false });
    const refused = await dispatch('setPrefs', { stunServer: 'stun example' });
    expect(refused).toMatchObject({ ok: false, code: 'BAD_ARGS' });
    expect(!refused.ok && refused.message).toBe(
      'invalid setPrefs request: stunServer: "stun example" is not a host name',
    );
    const v6 = await dispatch('setPrefs', { stunServer: '[2001:db8::1]:3478' });
    expect(!v6.ok && v6.message).toMatch(/use an IPv4 address or a name: routers map IPv4$/);
    expect(ok<{ stunServer: string }>(await dispatch('getPrefs', {})).stunServer).toBe('');
  });
});
