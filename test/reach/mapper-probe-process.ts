// Drives test/reach/port-mapper-probe.ts inside a namespace: its JSON lines become events a test can
// wait for; it is killed by stop() if it does not close by itself.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PortMapperOptions } from '../../src-main/reach/port-mapping/index.js';
import type { PortMappingStatus } from '../../src-shared/reach/port-mapping-status.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WAIT_MS = 15_000;

export type ProbeEvent =
  | { event: 'status'; status: PortMappingStatus }
  | { event: 'renewed'; leaseSeconds: number }
  | {
      event: 'entry';
      entry?: { internalClient: string; internalPort: number; leaseSeconds: number; description: string };
      error?: string;
    }
  | { event: 'closed'; ignored: number };

export class MapperProbe {
  readonly events: ProbeEvent[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private exited = false;

  constructor(netns: string, options: PortMapperOptions) {
    this.child = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        process.execPath,
        '--import',
        'tsx',
        'test/reach/port-mapper-probe.ts',
        JSON.stringify(options),
      ],
      { cwd: ROOT, stdio: 'pipe', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    let partial = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) this.events.push(JSON.parse(line) as ProbeEvent);
      this.wake();
    });
    // The probe may be gone when a test writes to it; its exit is reported by waitFor.
    this.child.stdin.on('error', () => {});
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    this.child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** The first event (seen or to come) that `match` accepts. */
  waitFor<T extends ProbeEvent>(match: (e: ProbeEvent) => e is T, what: string, timeoutMs = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const check = (): void => {
        for (; seen < this.events.length; seen++) {
          const event = this.events[seen] as ProbeEvent;
          if (match(event)) return finish(() => resolve(event));
        }
        if (this.exited) finish(() => reject(new Error(`probe exited before ${what}\n${this.transcript()}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out waiting for ${what}\n${this.transcript()}`))),
        timeoutMs,
      );
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        fn();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The status once the mapper has decided (anything but 'pending'). */
  async settled(): Promise<PortMappingStatus> {
    const e = await this.waitFor(
      (e): e is Extract<ProbeEvent, { event: 'status' }> => e.event === 'status' && e.status.kind !== 'pending',
      'a settled status',
    );
    return e.status;
  }

  /** What the gateway holds for that port (GetSpecificPortMappingEntry), asked from inside the LAN. */
  async entry(protocol: 'TCP' | 'UDP', port: number): Promise<Extract<ProbeEvent, { event: 'entry' }>> {
    const before = this.events.length;
    this.child.stdin.write(`entry ${protocol} ${port}\n`);
    return this.waitFor(
      (e): e is Extract<ProbeEvent, { event: 'entry' }> => e.event === 'entry' && this.events.indexOf(e) >= before,
      `the ${protocol} ${port} entry`,
    );
  }

  /** Asks the mapper to close (delete its mappings); resolves with the count of ignored gateway datagrams. */
  async close(): Promise<number> {
    this.child.stdin.write('close\n');
    const closed = await this.waitFor(
      (e): e is Extract<ProbeEvent, { event: 'closed' }> => e.event === 'closed',
      'the close',
    );
    return closed.ignored;
  }

  stop(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private transcript(): string {
    return `events: ${JSON.stringify(this.events)}\nstderr: ${this.stderr}`;
  }
}
