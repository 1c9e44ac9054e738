// What Linux says about a running process: its command line and the processes it started.
import { readFileSync } from 'node:fs';

/** The arguments a process was started with (Linux /proc), the program first. */
export function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** The processes `pid` started (Linux: the kernel lists a process's children per thread). */
export function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
}
