// Interactive mode: a readline prompt; received lines are printed above it, commands start with "/".
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import { askHidden } from '../terminal/prompt.js';
import type { ChatSession, Screen } from './session.js';
import { CHAT_COMMANDS_HELP, encryptionLine, membersLine } from './format.js';
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

  const terminalIn = input;
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
      case 'usage':
        screen.show(input.text);
        break;
      case 'kick':
        session.kick(input.name);
        break;
      case 'command':
        if (input.command === 'password') {
          if (session.canChangePassword()) return void askNewPassword(session, screen, rl, terminalIn, output);
          break;
        }
        if (input.command === 'leave') return void session.leave();
        if (input.command === 'close') return void session.closeRoom();
        if (input.command === 'members') {
          screen.show(membersLine(session.members(), session.transport === 'tls'));
          screen.show(encryptionLine(session.transport, session.members()));
        }
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

/**
 * /password: asks for the new password with echo off, then sends it. While it asks, the chat
 * prompt's key handling is set aside, so the keys go to the hidden question only (and never into
 * the prompt's history).
 */
async function askNewPassword(
  session: ChatSession,
  screen: PromptScreen,
  rl: Interface,
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
): Promise<void> {
  const keypress = input.listeners('keypress') as ((...args: unknown[]) => void)[];
  input.removeAllListeners('keypress');
  screen.attach(null);
  let password: string | null = null;
  try {
    password = await askHidden(input, output, '* new password (empty clears it): ');
  } catch {
    screen.show('* password not changed');
  } finally {
    for (const listener of keypress) input.on('keypress', listener);
    // askHidden left the terminal cooked and paused; the chat prompt reads raw, flowing input.
    input.setRawMode(true);
    input.resume();
    screen.attach(rl);
  }
  if (password !== null) await session.setPassword(password);
  if (!session.isFinished) rl.prompt();
}
