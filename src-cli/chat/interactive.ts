// Interactive mode: a readline prompt; received lines are printed above it, commands start with "/".
import { clearLine, createInterface, cursorTo } from 'node:readline';
import type { ChatSession, Screen } from './session.js';
import { CHAT_COMMANDS_HELP, membersLine } from './format.js';
import { parseChatInput } from './input.js';

/** A screen that keeps the prompt and the half-typed line intact below whatever is printed. */
export class PromptScreen implements Screen {
  private prompt: { prompt(preserveCursor?: boolean): void } | null = null;

  constructor(private readonly output: NodeJS.WriteStream) {}

  attach(prompt: { prompt(preserveCursor?: boolean): void } | null): void {
    this.prompt = prompt;
  }

  show(line: string): void {
    if (!this.prompt) {
      this.output.write(`${line}\n`);
      return;
    }
    clearLine(this.output, 0);
    cursorTo(this.output, 0);
    this.output.write(`${line}\n`);
    this.prompt.prompt(true);
  }

  warn(line: string): void {
    this.show(line);
  }
}

export function runInteractive(
  session: ChatSession,
  screen: PromptScreen,
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
): Promise<number> {
  const rl = createInterface({ input, output, terminal: true, prompt: `${session.room}> `, historySize: 200 });
  screen.attach(rl);
  screen.show(
    `* in room "${session.room}" as ${session.name}${session.role === 'host' ? ' (host)' : ''}; type /help for commands`,
  );
  rl.prompt();

  rl.on('line', (line) => {
    const input = parseChatInput(line);
    switch (input.kind) {
      case 'send':
        session.send(input.text);
        break;
      case 'nothing':
        break;
      case 'unknown-command':
        screen.show(`* unknown command ${input.command}; type /help`);
        break;
      case 'command':
        if (input.command === 'leave') return void session.leave();
        if (input.command === 'close') return void session.closeRoom();
        if (input.command === 'members') screen.show(membersLine(session.members()));
        if (input.command === 'help') for (const help of CHAT_COMMANDS_HELP) screen.show(help);
        break;
    }
    if (!session.isFinished) rl.prompt();
  });
  // Ctrl+C and Ctrl+D both leave the room politely.
  rl.on('SIGINT', () => void session.leave());
  rl.on('close', () => void session.leave());

  void session.done.then(() => {
    // Leave the terminal on a clean line, not after a dangling prompt.
    screen.attach(null);
    clearLine(output, 0);
    cursorTo(output, 0);
    rl.close();
  });
  return session.done;
}
