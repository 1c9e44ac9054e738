// Drives the app's backend running inside a network namespace (app-backend-process.ts) line by line:
// requests as the renderer makes them, and waits for the events it prints. Every wait is bounded;
// kill() ends it whatever state it is in.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChatEntry, NearbyState, RoomView } from '../../src-shared/ipc/contract.js';

/** Starting the backend loads TypeScript first, which is slow on a busy machine. */
const WAIT_MS = 30_000;

type Line = Record<string, unknown>;

export class AppBackendAgent {
  private readonly child: ChildProcess;
  private readonly out: Line[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<unknown>;

  constructor(netns: string) {
    this.child = spawn(
      'ip',
      ['netns', 'exec', netns, process.execPath, '--import', 'tsx', 'test/support/app-backend-process.ts'],
      { cwd: join(import.meta.dirname, '../..'), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) if (part) this.out.push(JSON.parse(part) as Line);
      for (const wake of [...this.waiters]) wake();
    });
    // The backend may be gone when a test writes to it; its exit is what the test then sees.
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  private next(test: (line: Line) => boolean, what: string, from = 0): Promise<Line> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.out.slice(from).find(test);
        if (!hit) return;
        done();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`app backend: no ${what} in ${WAIT_MS} ms\n${JSON.stringify(this.out).slice(-4000)}`));
      }, WAIT_MS);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async ready(): Promise<void> {
    await this.next((l) => l.ready === true, 'ready line');
  }

  async request(req: string, args: unknown): Promise<unknown> {
    const from = this.out.length;
    this.child.stdin?.write(`${JSON.stringify({ req, args })}\n`);
    const { res } = (await this.next((l) => 'res' in l, `answer to ${req}`, from)) as {
      res: { ok: boolean; value?: unknown };
    };
    if (!res.ok) throw new Error(`app backend: ${req} failed: ${JSON.stringify(res)}`);
    return res.value;
  }

  /** The first nearbyUpdated state (seen or to come) that `test` accepts. */
  async waitForNearby(test: (state: NearbyState) => boolean): Promise<NearbyState> {
    return (await this.next((l) => 'evt' in l && test(l.evt as NearbyState), 'matching nearbyUpdated'))
      .evt as NearbyState;
  }

  /** Where the output stands now: a wait `since` it looks only at what comes after. */
  mark(): number {
    return this.out.length;
  }

  /** The first roomUpdated view (seen or to come, after `since`) that `test` accepts. */
  async waitForRoom(test: (view: RoomView) => boolean, since = 0): Promise<RoomView> {
    const line = await this.next((l) => 'room' in l && test(l.room as RoomView), 'matching roomUpdated', since);
    return line.room as RoomView;
  }

  /** The first chat or system line of the room (seen or to come) that `test` accepts. */
  async waitForMessage(roomId: string, test: (entry: ChatEntry) => boolean): Promise<ChatEntry> {
    const line = await this.next((l) => {
      const msg = l.msg as { roomId: string; entry: ChatEntry } | undefined;
      return msg?.roomId === roomId && test(msg.entry);
    }, 'matching roomMessage');
    return (line.msg as { entry: ChatEntry }).entry;
  }

  /** The app quits: every room closes, then the process exits. */
  quit(): void {
    this.child.stdin?.end();
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
