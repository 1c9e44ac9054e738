// The machine a result was taken on, recorded next to every number.
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  kernel: string;
  memTotalMB: number;
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':')[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return {
    // The machine's CPUs, not this process's: --pin confines the bench process itself to the
    // generator's CPUs, and the CPU plan numbers all of them.
    nproc: os.cpus().length,
    cpuModel,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    memTotalMB: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
