// A pretend terminal for in-process tests of the interactive mode: an input stream that claims to
// be a TTY (raw mode is a no-op) and an output that records everything, escapes stripped.
import { PassThrough, Writable } from 'node:stream';

// CSI sequences (cursor moves, line clears) that readline and the prompt screen write.
// eslint-disable-next-line no-control-regex -- ESC is the character these sequences start with
const ESCAPES = /\u001b\[[0-9;]*[A-Za-z]/g;

export class FakeTerminal {
  readonly input: PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; isRaw: boolean };
  readonly output: Writable & { isTTY: boolean; columns: number };
  private text = '';
  private readonly waiters = new Set<() => void>();

  constructor() {
    const input = new PassThrough() as FakeTerminal['input'];
    input.isTTY = true;
    input.isRaw = false;
    input.setRawMode = (on: boolean) => {
      input.isRaw = on;
    };
    this.input = input;
    const output = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        this.text += chunk.toString().replace(ESCAPES, '');
        for (const wake of [...this.waiters]) wake();
        callback();
      },
    }) as FakeTerminal['output'];
    output.isTTY = true;
    output.columns = 200;
    this.output = output;
  }

  get screen(): string {
    return this.text;
  }

  type(text: string): void {
    this.input.write(text);
  }

  /** Waits until the output (since `from`) matches; returns the index after the match. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = 8000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = pattern.exec(this.text.slice(from));
        if (!found) return;
        done();
        resolve(from + found.index + found[0].length);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`terminal never showed ${pattern}; it shows:\n${this.text}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}
