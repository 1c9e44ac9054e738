// Reads the byte-exact exchanges PROTOCOL.md marks as ```conformance blocks: who sends what on which
// socket and what the server must answer, as hex. The conformance test replays them on a real server.
//
// A line is `<peer> <tcp|udp><'>'|'<'> <bytes>`: '>' the peer sends, '<' the server must answer
// exactly. Bytes are hex pairs; `hh*N` repeats a byte N times; `{token}` is a 32-byte token: captured
// where the server sends it, and the peer's captured token where the peer sends it. A line that starts
// with spaces continues the bytes of the line above; `#` starts a comment. `<peer> waits <N> ms`: the
// peer sends nothing for N ms (a time the protocol counts, such as a seat's quiet time).

export type Piece = { kind: 'bytes'; bytes: number[] } | { kind: 'token' };

export interface WireStep {
  kind: 'bytes';
  peer: string;
  channel: 'tcp' | 'udp';
  direction: 'send' | 'expect';
  pieces: Piece[];
  /** 1-based line in the document, for failure messages. */
  line: number;
}

export interface WaitStep {
  kind: 'wait';
  peer: string;
  ms: number;
  line: number;
}

export interface WireScript {
  title: string;
  steps: (WireStep | WaitStep)[];
}

/** The length of a token our server issues, and of every `{token}` in a script. */
export const SCRIPT_TOKEN_BYTES = 32;

const STEP = /^(\w+) (tcp|udp)([<>]) (.*)$/u;
const WAIT = /^(\w+) waits (\d+) ms$/u;
const OPEN = /^```conformance (.+)$/u;

export function parseWireScripts(doc: string): WireScript[] {
  const scripts: WireScript[] = [];
  let current: WireScript | null = null;
  const lines = doc.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    if (current === null) {
      const open = OPEN.exec(raw);
      if (open) current = { title: (open[1] as string).trim(), steps: [] };
      return;
    }
    if (raw.startsWith('```')) {
      scripts.push(current);
      current = null;
      return;
    }
    const text = (raw.split('#')[0] as string).trimEnd();
    if (text.trim() === '') return;
    if (/^\s/u.test(text)) {
      const last = current.steps.at(-1);
      if (last?.kind !== 'bytes') throw new Error(`line ${lineNo}: continuation without a step`);
      last.pieces.push(...parsePieces(text.trim(), lineNo));
      return;
    }
    const wait = WAIT.exec(text);
    if (wait) {
      current.steps.push({ kind: 'wait', peer: wait[1] as string, ms: Number(wait[2]), line: lineNo });
      return;
    }
    const m = STEP.exec(text);
    if (!m) throw new Error(`line ${lineNo}: not a step: ${raw}`);
    current.steps.push({
      kind: 'bytes',
      peer: m[1] as string,
      channel: m[2] as 'tcp' | 'udp',
      direction: m[3] === '>' ? 'send' : 'expect',
      pieces: parsePieces(m[4] as string, lineNo),
      line: lineNo,
    });
  });
  if (current !== null) throw new Error('a conformance block is not closed');
  return scripts;
}

function parsePieces(text: string, lineNo: number): Piece[] {
  const pieces: Piece[] = [];
  for (const word of text.split(/\s+/u)) {
    if (word === '') continue;
    if (word === '{token}') {
      pieces.push({ kind: 'token' });
      continue;
    }
    const m = /^([0-9a-f]{2})(?:\*(\d+))?$/u.exec(word);
    if (!m) throw new Error(`line ${lineNo}: not a hex byte: ${word}`);
    const byte = parseInt(m[1] as string, 16);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    const last = pieces.at(-1);
    const bytes = last?.kind === 'bytes' ? last.bytes : [];
    if (last?.kind !== 'bytes') pieces.push({ kind: 'bytes', bytes });
    for (let i = 0; i < count; i++) bytes.push(byte);
  }
  return pieces;
}

/** How many bytes a step covers (a token counts its fixed length). */
export function stepLength(step: WireStep): number {
  return step.pieces.reduce((n, p) => n + (p.kind === 'token' ? SCRIPT_TOKEN_BYTES : p.bytes.length), 0);
}
