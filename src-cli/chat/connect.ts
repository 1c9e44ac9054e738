// Getting into a room: ask for what is missing (on a terminal), create the client, handshake, and
// on a join retry with a password when the room wants one (three tries).
import {
  KnownHostsFile,
  MemoryTrustStore,
  type ChatClientApi,
  type ClientOptions,
  type ConnectInfo,
  type CreateChatClient,
  type EncryptionPolicy,
} from '../../src-main/engine/index.js';
import { DEFAULT_CIPHER_PREFERENCE } from '../../src-shared/protocol/index.js';
import { CliError, UsageError } from '../errors.js';
import { parsePassword, parseUsername, type RoomConfig } from '../options.js';
import type { Prompter } from '../terminal/prompt.js';
import { describeConnectError } from './describe-error.js';

export const MAX_PASSWORD_TRIES = 3;
export const NO_NAME_MESSAGE = 'no name given: pass --name NAME (stdin is not a terminal, so it cannot be asked)';
const MAX_NAME_TRIES = 3;

/** What the user asked for: the command line's room settings. */
export type ConnectRequest = RoomConfig;

export interface ConnectContext {
  createClient: CreateChatClient;
  /** Null when stdin is not a terminal: nothing can be asked. */
  prompter: Prompter | null;
  /** A line for the user while connecting (a wrong password, a taken name). */
  say(line: string): void;
}

export interface Connected {
  client: ChatClientApi;
  info: ConnectInfo;
  name: string;
}

async function askName(prompter: Prompter, say: (line: string) => void): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = (await prompter.ask('Your name: ')).trim();
    try {
      return parseUsername(answer);
    } catch (err) {
      if (attempt >= MAX_NAME_TRIES) throw err;
      say(`* ${(err as Error).message}`);
    }
  }
}

async function askPassword(prompter: Prompter, question: string): Promise<string> {
  return parsePassword(await prompter.askHidden(question));
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

export async function connectToRoom(request: ConnectRequest, context: ConnectContext): Promise<Connected> {
  const { prompter, say } = context;
  let name = request.name;
  if (name === undefined) {
    if (!prompter) throw new UsageError(NO_NAME_MESSAGE);
    name = await askName(prompter, say);
  }
  let password = request.password;
  if (password === undefined && request.mode === 'create' && prompter) {
    password = await askPassword(prompter, 'Password for the new room (empty for none): ');
  }

  const encryption = encryptionFor(request);
  let passwordTries = password ? 1 : 0;
  let nameTries = 1;
  for (;;) {
    const options: ClientOptions = {
      host: request.host,
      port: request.port,
      room: request.room,
      username: name,
      mode: request.mode,
      // TLS by default between Tincan peers; --plain speaks the spec dialect in clear.
      ...(encryption ? { encryption } : { negotiate: false }),
    };
    if (request.udpPort !== undefined) options.udpPort = request.udpPort;
    // --cipher goes first; the other stays offered, so a server without it still seals.
    if (request.cipher !== undefined)
      options.ciphers = [request.cipher, ...DEFAULT_CIPHER_PREFERENCE.filter((id) => id !== request.cipher)];
    if (password) options.password = password;
    const client = context.createClient(options);
    try {
      const info = await client.connect();
      return { client, info, name };
    } catch (err) {
      const code = errorCode(err);
      if (
        prompter &&
        (code === 'PASSWORD_REQUIRED' || code === 'WRONG_PASSWORD') &&
        passwordTries < MAX_PASSWORD_TRIES
      ) {
        if (code === 'WRONG_PASSWORD') say('* wrong password');
        password = await askPassword(prompter, `Password for room "${request.room}": `);
        passwordTries++;
        continue;
      }
      if (prompter && code === 'NAME_TAKEN' && request.name === undefined && nameTries < MAX_NAME_TRIES) {
        say(`* the name "${name}" is taken in this room`);
        name = await askName(prompter, say);
        nameTries++;
        continue;
      }
      throw new CliError(describeConnectError(err, { ...request, name }));
    }
  }
}

/** TLS with the pinned fingerprint or the known-hosts file; null for --plain. */
function encryptionFor(request: ConnectRequest): EncryptionPolicy | null {
  if (request.plain) return null;
  let knownHosts;
  try {
    knownHosts = request.knownHostsPath ? new KnownHostsFile(request.knownHostsPath) : new MemoryTrustStore();
  } catch (err) {
    throw new CliError(`cannot read the known hosts: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { knownHosts, ...(request.fingerprint ? { fingerprint: request.fingerprint } : {}) };
}
