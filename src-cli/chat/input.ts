// What a line typed at the interactive prompt means: a message to send, or a chat command.

type PlainCommand = 'leave' | 'close' | 'members' | 'help' | 'password';

export type ChatInput =
  | { kind: 'send'; text: string }
  | { kind: 'command'; command: PlainCommand }
  /** `/kick NAME`: the rest of the line is the name (names may hold spaces). */
  | { kind: 'kick'; name: string }
  | { kind: 'usage'; text: string }
  | { kind: 'unknown-command'; command: string }
  | { kind: 'nothing' };

const COMMANDS = new Set<string>(['leave', 'close', 'members', 'help', 'password']);

export function parseChatInput(line: string): ChatInput {
  if (line.trim().length === 0) return { kind: 'nothing' };
  // "//text" escapes the slash so a message can start with "/".
  if (line.startsWith('//')) return { kind: 'send', text: line.slice(1) };
  if (line.startsWith('/')) {
    const body = line.slice(1).trim();
    const word = body.split(/\s+/u)[0]?.toLowerCase() ?? '';
    if (word === 'kick') {
      const name = body.slice(word.length).trim();
      return name.length > 0 ? { kind: 'kick', name } : { kind: 'usage', text: '* usage: /kick NAME' };
    }
    if (COMMANDS.has(word)) return { kind: 'command', command: word as PlainCommand };
    return { kind: 'unknown-command', command: `/${word}` };
  }
  return { kind: 'send', text: line };
}
