// Validation of the human-chosen names that cross the wire: room names and usernames.
import { ROOM_NAME_MAX_BYTES, USERNAME_MAX_BYTES } from './limits.js';
import { utf8ByteLength } from './utf8.js';

export type NameProblem = 'empty' | 'too-long' | 'control-character' | 'surrounding-space';

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators: any of these in a name
// could forge a line in someone's terminal or log.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole job
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

function checkName(name: string, maxBytes: number): NameProblem | null {
  if (name.length === 0) return 'empty';
  if (utf8ByteLength(name) > maxBytes) return 'too-long';
  if (CONTROL.test(name)) return 'control-character';
  if (name.trim() !== name) return 'surrounding-space';
  return null;
}

export function checkRoomName(name: string): NameProblem | null {
  return checkName(name, ROOM_NAME_MAX_BYTES);
}

export function checkUsername(name: string): NameProblem | null {
  return checkName(name, USERNAME_MAX_BYTES);
}

export function describeNameProblem(what: string, problem: NameProblem, maxBytes: number): string {
  switch (problem) {
    case 'empty':
      return `${what} must not be empty`;
    case 'too-long':
      return `${what} must be at most ${maxBytes} bytes of UTF-8`;
    case 'control-character':
      return `${what} must not contain control characters`;
    case 'surrounding-space':
      return `${what} must not start or end with whitespace`;
  }
}
