// What a line typed at the interactive prompt means: a message to send, or a chat command.

export type ChatInput =
  | { kind: 'send'; text: string }
  | { kind: 'command'; command: 'leave' | 'close' | 'members' | 'help' }
  | { kind: 'unknown-command'; command: string }
  | { kind: 'nothing' };

const COMMANDS = new Set(['leave', 'close', 'members', 'help']);

export function parseChatInput(line: string): ChatInput {
  if (line.trim().length === 0) return { kind: 'nothing' };
  // "//text" escapes the slash so a message can start with "/".
  if (line.startsWith('//')) return { kind: 'send', text: line.slice(1) };
  if (line.startsWith('/')) {
    const word = line.slice(1).trim().split(/\s+/u)[0]?.toLowerCase() ?? '';
    if (COMMANDS.has(word)) return { kind: 'command', command: word as 'leave' | 'close' | 'members' | 'help' };
    return { kind: 'unknown-command', command: `/${word}` };
  }
  return { kind: 'send', text: line };
}
