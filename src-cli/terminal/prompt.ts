// Questions on the terminal: a visible answer (the name) and a hidden one (the password).
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { CliError } from '../errors.js';

export interface Prompter {
  ask(question: string): Promise<string>;
  askHidden(question: string): Promise<string>;
}

type TtyInput = NodeJS.ReadStream;
type Output = NodeJS.WritableStream;

const cancelled = (): CliError => new CliError('cancelled');

export function terminalPrompter(input: TtyInput, output: Output): Prompter {
  return {
    ask: (question) => askLine(input, output, question),
    askHidden: (question) => askHidden(input, output, question),
  };
}

function askLine(input: TtyInput, output: Output, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, output, terminal: true });
    let answered = false;
    rl.on('SIGINT', () => {
      output.write('\n');
      rl.close();
    });
    rl.on('close', () => {
      if (!answered) reject(cancelled());
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });
}

/** Reads a line with echo off, in raw mode, so the password never shows. */
export function askHidden(input: TtyInput, output: Output, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    const decoder = new StringDecoder('utf8');
    let answer = '';
    const finish = (error: CliError | null): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of decoder.write(chunk)) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(cancelled()); // Ctrl+C
        if (ch === '\u0004') return finish(answer.length === 0 ? cancelled() : null); // Ctrl+D
        if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else if (ch >= ' ' && answer.length < 1024) answer += ch;
      }
    };
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}
