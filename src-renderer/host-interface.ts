// Which interface the Host form starts with. Never all interfaces unless the user picked that
// before: the remembered choice if it is still on offer, else this computer's first LAN address,
// else this computer only.
import type { NetInterfaceChoice } from '../src-shared/ipc/contract.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);
export const LOOPBACK_CHOICE: NetInterfaceChoice = { value: '127.0.0.1', label: 'This computer only (127.0.0.1)' };

function isLan(value: string): boolean {
  return !WILDCARDS.has(value) && !value.startsWith('127.') && value !== '::1';
}

export function pickInterface(choices: readonly NetInterfaceChoice[], remembered: string): string {
  if (remembered && choices.some((c) => c.value === remembered)) return remembered;
  return choices.find((c) => isLan(c.value))?.value ?? LOOPBACK_CHOICE.value;
}
