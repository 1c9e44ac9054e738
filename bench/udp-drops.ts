// Kernel UDP counters (Linux /proc/net/snmp): RcvbufErrors counts datagrams dropped because a
// socket's receive buffer was full. System-wide, so other traffic on the machine shows up too.
import fs from 'node:fs';

export interface UdpCounters {
  inDatagrams: number;
  rcvbufErrors: number;
  sndbufErrors: number;
}

export function readUdpCounters(): UdpCounters | null {
  try {
    const lines = fs
      .readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = (lines[0] ?? '').split(/\s+/).slice(1);
    const values = (lines[1] ?? '').split(/\s+/).slice(1).map(Number);
    const get = (name: string): number => values[names.indexOf(name)] ?? 0;
    return { inDatagrams: get('InDatagrams'), rcvbufErrors: get('RcvbufErrors'), sndbufErrors: get('SndbufErrors') };
  } catch {
    return null;
  }
}
