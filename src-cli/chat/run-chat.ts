// Runs a whole chat from the command line: connect (asking what is missing on a terminal), then the
// interactive prompt or the piped line loop, then the exit code.
import { ExitCode } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { terminalPrompter } from '../terminal/prompt.js';
import { type ConnectRequest, connectToRoom } from './connect.js';
import { PromptScreen, runInteractive } from './interactive.js';
import { encryptedLine, firstUseLine, historyLine, plainNote } from './format.js';
import { hostKeyOf } from '../../src-main/engine/index.js';
import { runPiped } from './piped.js';
import { ChatSession, type Screen } from './session.js';

export interface ChatExtras {
  /** Lines shown once connected, e.g. how others can join a room we host. */
  banner?: string[];
}

export async function runChat(request: ConnectRequest, rt: Runtime, extras: ChatExtras = {}): Promise<number> {
  const interactive = rt.stdin.isTTY === true;
  const say = (line: string): void => void rt.stderr.write(`${line}\n`);
  const { client, info, name } = await connectToRoom(request, {
    createClient: rt.createClient,
    prompter: interactive ? terminalPrompter(rt.stdin, rt.stdout) : null,
    say,
  });
  const who = `${name}${info.role === 'host' ? ' (host)' : ''}`;
  const note = plainNote(info);
  const transportLines = [
    encryptedLine(info),
    firstUseLine(hostKeyOf(request.host, request.port), info, request.knownHostsPath !== undefined),
  ].filter((line) => line !== null);
  const historyNote = historyLine(info.history);

  let screen: Screen;
  let promptScreen: PromptScreen | null = null;
  if (interactive) {
    promptScreen = new PromptScreen(rt.stdout);
    screen = promptScreen;
  } else {
    // Piped: stdout carries only the chat, one line per event; everything else goes to stderr.
    screen = { show: (line) => void rt.stdout.write(`${line}\n`), warn: say };
  }
  const session = new ChatSession(client, info, request.room, name, screen);

  // First signal: leave politely. Second: stop waiting.
  const unsubscribe = rt.onStopSignal((count) => {
    if (count === 1) void session.leave();
    else session.finish(ExitCode.FAILURE, '* interrupted');
  });
  // A reader that went away (`| head -1`) is like the end of input.
  const onStdoutError = (): void => void session.leave();
  rt.stdout.on('error', onStdoutError);

  try {
    if (promptScreen) {
      for (const line of extras.banner ?? []) screen.show(line);
      if (note) screen.show(`*${note}`);
      for (const line of transportLines) screen.show(line);
      if (historyNote) screen.show(historyNote);
      return await runInteractive(session, promptScreen, rt.stdin, rt.stdout);
    }
    for (const line of extras.banner ?? []) say(line);
    say(`* connected to room "${request.room}" as ${who}${note}`);
    for (const line of transportLines) say(line);
    if (historyNote) say(historyNote);
    return await runPiped(session, rt.stdin);
  } finally {
    unsubscribe();
    rt.stdout.off('error', onStdoutError);
  }
}
