// What Linux says about a running process: its command line, the processes it started, and its
// threads' scheduling.
import { readdirSync, readFileSync } from 'node:fs';

/** The arguments a process was started with (Linux /proc), the program first. */
export function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** The processes `pid` started (Linux: the kernel lists a process's children per thread). */
export function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
}

/** The scheduling policy of a thread (field 41 of /proc/PID/task/TID/stat): 0 normal, 1 FIFO. */
export function policyOf(pid: number | 'self', tid: number | string = pid): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[41 - 3]);
}

/** Each thread of `pid`: its scheduling policy and the CPUs it may run on (Cpus_allowed_list). */
export function threadsOf(pid: number | 'self'): { policy: number; cpus: string }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return { policy: policyOf(pid, tid), cpus: /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '' };
  });
}
