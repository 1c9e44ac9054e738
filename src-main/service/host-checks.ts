// Where a hosted room may listen, checked before any socket is opened. The request must name one of
// the interfaces listInterfaces offers (no silent default to every interface: the UI chooses, and
// it defaults to this computer's LAN address or loopback), and a privileged port only when the user
// confirmed it.
import type { HostRequest, NetInterfaceChoice } from '../../src-shared/ipc/contract.js';
import { ServiceError } from './service-error.js';

/** Ports below this need administrator rights on most systems: used only when the user says so. */
export const FIRST_UNPRIVILEGED_PORT = 1024;

export function checkHostBind(
  req: Pick<HostRequest, 'bindHost' | 'port' | 'allowPrivilegedPort'>,
  choices: NetInterfaceChoice[],
): void {
  if (req.port !== 0 && req.port < FIRST_UNPRIVILEGED_PORT && req.allowPrivilegedPort !== true)
    throw new ServiceError(
      'PRIVILEGED_PORT',
      `Ports below ${FIRST_UNPRIVILEGED_PORT} need administrator rights on most systems. Confirm that you want one, or pick a port from ${FIRST_UNPRIVILEGED_PORT} to 65535 (0 for any free one).`,
    );
  if (!choices.some((c) => c.value === req.bindHost))
    throw new ServiceError(
      'BAD_INTERFACE',
      'Choose where to listen: one of this computer’s network addresses, this computer only, or all interfaces.',
    );
}
