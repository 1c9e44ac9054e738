// `tincan serve`: a dedicated server. Two lines on stdout: where it listens, and the host certificate
// fingerprint clients pin (or that it has no TLS); JSON log lines go to
// stderr; SIGINT/SIGTERM closes every room (members are told) and exits 0.
import { formatHostAddress } from '../../src-shared/address.js';
import { advertiseRooms } from '../advertise-rooms.js';
import { ExitCode } from '../errors.js';
import { startListening } from '../listen-error.js';
import type { ServeConfig } from '../options.js';
import { startPortMapping } from '../port-mapping.js';
import type { Runtime } from '../runtime.js';

export async function serveCommand(config: ServeConfig, rt: Runtime): Promise<number> {
  const { server, address } = await startListening(config, rt);
  const shown = formatHostAddress({ host: address.host, port: address.tcpPort });
  rt.stdout.write(`tincan server listening on ${shown} (TCP) and UDP port ${address.udpPort}\n`);
  const mapper = config.upnp
    ? startPortMapping(
        config.server.host,
        address,
        {
          write: (line) => rt.stdout.write(`${line}\n`),
          joinHint: (external) => `others on the internet join with: tincan join ${external} <room>`,
        },
        config.stun,
      )
    : null;
  const stopAdvertising = config.advertise
    ? await advertiseRooms(server, address.tcpPort, config.server.host, rt)
    : async () => {};
  rt.stdout.write(
    server.fingerprint
      ? `host certificate fingerprint: ${server.fingerprint} (clients pin it with --fingerprint)\n`
      : 'no TLS: members connect in clear\n',
  );

  return new Promise<number>((resolve) => {
    const unsubscribe = rt.onStopSignal((count) => {
      if (count > 1) {
        // Shutdown is stuck or the user is impatient: stop now.
        unsubscribe();
        resolve(ExitCode.FAILURE);
        return;
      }
      // Goodbyes first, so other screens drop the rooms before members hear the server close.
      stopAdvertising()
        .then(() => Promise.all([server.close(), mapper?.close()]))
        .then(
          () => {
            unsubscribe();
            resolve(ExitCode.OK);
          },
          (err: unknown) => {
            rt.stderr.write(
              `tincan: the server did not close cleanly: ${err instanceof Error ? err.message : String(err)}\n`,
            );
            unsubscribe();
            resolve(ExitCode.FAILURE);
          },
        );
    });
  });
}
