// The command-line grammar: commander collects raw strings, options.ts turns them into configs,
// and the actions (real ones in main.ts, fakes in tests) do the work and return an exit code.
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_PORT } from '../src-shared/address.js';
import { DEFAULT_SERVER_OPTIONS } from '../src-main/engine/index.js';
import { LINK_SCHEME } from '../src-shared/invite/join-link.js';
import { joinTarget } from './commands/join-target.js';
import { CliError, ExitCode } from './errors.js';
import {
  type DiscoverConfig,
  DISCOVER_ONCE_DEFAULT_S,
  type Env,
  type HostConfig,
  LOG_LEVELS,
  PASSWORD_ENV,
  parseDiscoverOptions,
  parseHostOptions,
  passwordOptionWarning,
  DATA_DIR_ENV,
  parseRoomOptions,
  parseServeOptions,
  type RawOptions,
  type RoomConfig,
  type ServeConfig,
} from './options.js';

export interface CommandActions {
  serve(config: ServeConfig): Promise<number>;
  host(config: HostConfig): Promise<number>;
  discover(config: DiscoverConfig): Promise<number>;
  /** `create` and `join`. */
  room(config: RoomConfig): Promise<number>;
}

export interface CliIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** Whether stderr is a terminal: warnings meant for the person typing go only there. */
  errIsTerminal?: boolean;
}

/** Defaults are shown in the description, not given to commander: options.ts sees only what the user set. */
const withDefault = (description: string, value: string | number): string => `${description} (default: ${value})`;

const EXIT_CODES_HELP = `
Exit codes:
  0  done (left the room, end of input, server stopped by a signal)
  1  failure (port in use, room exists, wrong password, server unreachable, timed out, ...)
  2  bad command line (bad option value or address, missing --name without a terminal)
  3  the room closed (the host closed or left it, or the server shut down)`;

const CIPHER_HELP =
  'cipher of your sealed chat datagrams, offered first: aes-256-gcm or chacha20-poly1305 (default: both, AES first)';

const CHAT_HELP = `
On a terminal you get a prompt; type /help there for the chat commands.
With stdin not a terminal (piped), every input line is sent as a message, every message
is printed as "name: text" and every notice as "* ...", one per line; at the end of the
input the command leaves the room and exits.
The password may also be given in the ${PASSWORD_ENV} environment variable.`;

/** On a terminal, warns that --password is visible to other users; scripted stderr stays as it was. */
function warnAboutPassword<T>(io: CliIo, opts: RawOptions, config: T): T {
  const warning = io.errIsTerminal === true ? passwordOptionWarning(opts) : null;
  if (warning !== null) io.writeErr(`tincan: ${warning}\n`);
  return config;
}

/** --advertise / --no-advertise; the default differs (serve: off, host: on) and is in the text. */
function addAdvertiseOptions(command: Command, onByDefault: boolean): Command {
  return command
    .option(
      '--advertise',
      `list the room${onByDefault ? '' : 's'} on the local network (mDNS)${onByDefault ? ' (default)' : ''}`,
    )
    .option(
      '--no-advertise',
      `do not list ${onByDefault ? 'it' : 'them'} on the local network${onByDefault ? '' : ' (default)'}`,
    );
}

function addServerListenOptions(command: Command): Command {
  return command
    .option('--host <addr>', withDefault('address to listen on: 0.0.0.0, ::, 127.0.0.1, ...', '0.0.0.0'))
    .option('--port <n>', `TCP port for room requests, 0 for any free port (default: ${DEFAULT_PORT})`)
    .option('--udp-port <n>', 'UDP port for chat (default: the TCP port number)')
    .option(
      '--upnp',
      'ask the router (PCP, NAT-PMP or UPnP) to forward the ports while running; prints the outside address',
    )
    .option(
      '--stun <host:port>',
      'with --upnp: compare the outside address the router reports with what this STUN server sees (double NAT check; port default 3478)',
    )
    .option(
      '--history <n>',
      withDefault(
        'last messages of a room that new members see (Tincan clients); 0: none',
        DEFAULT_SERVER_OPTIONS.historySize,
      ),
    )
    .option(
      '--identity <dir>',
      `folder of the host key and certificate clients pin, made on first use (default: the data folder, $${DATA_DIR_ENV})`,
    )
    .option(
      '--encrypted-only',
      'admit encrypted (TLS) members only: plain spec clients are refused with ENCRYPTION_REQUIRED',
    );
}

/** Builds the program; `setExitCode` receives the action's result. */
export function buildProgram(
  actions: CommandActions,
  env: Env,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  const program = new Command('tincan');
  program
    .description('Host and join password-protected chat rooms over TCRP/UDP, from the terminal.')
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);

  addAdvertiseOptions(
    addServerListenOptions(
      program.command('serve').description('run a dedicated server that anyone can create rooms on'),
    ),
    false,
  )
    .option(
      '--inactivity-timeout <s>',
      withDefault('drop members silent for this long', DEFAULT_SERVER_OPTIONS.inactivityTimeoutMs / 1000),
    )
    .option(
      '--handshake-timeout <s>',
      withDefault('a room request must arrive within this time', DEFAULT_SERVER_OPTIONS.handshakeTimeoutMs / 1000),
    )
    .option(
      '--token-ttl <s>',
      withDefault('a token unused for this long expires', DEFAULT_SERVER_OPTIONS.tokenTtlMs / 1000),
    )
    .option('--max-rooms <n>', withDefault('most rooms at once', DEFAULT_SERVER_OPTIONS.maxRooms))
    .option('--max-members <n>', withDefault('most members per room', DEFAULT_SERVER_OPTIONS.maxMembersPerRoom))
    .option(
      '--max-pending <n>',
      withDefault('most room requests in progress at once', DEFAULT_SERVER_OPTIONS.maxPendingHandshakes),
    )
    .option(
      '--max-conns-per-ip <n>',
      withDefault('most TCP connections from one IP at once', DEFAULT_SERVER_OPTIONS.maxConnectionsPerIp),
    )
    .option(
      '--hash-burst-per-ip <n>',
      withDefault(
        'password hashes (creates and joins with a password) one IP may cost at once; 0: no limit',
        DEFAULT_SERVER_OPTIONS.hashBurstPerIp,
      ),
    )
    .option(
      '--create-burst-per-ip <n>',
      withDefault('room creates one IP may make at once; 0: no limit', DEFAULT_SERVER_OPTIONS.createBurstPerIp),
    )
    .option(
      '--refusal-burst-per-ip <n>',
      withDefault(
        'answers about rooms (no such room, wrong password, name taken…) one IP may get at once; 0: no limit',
        DEFAULT_SERVER_OPTIONS.refusalBurstPerIp,
      ),
    )
    .option(
      '--workers <n>',
      withDefault(
        'relay processes sharing the port, rooms spread over them (Linux; more than 1 needs the native UDP addon)',
        1,
      ),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        withDefault('log lines (JSON, on stderr) at or above this level', 'info'),
      ).choices(LOG_LEVELS),
    )
    .addHelpText('after', '\nPrints one line saying where it listens. Ctrl+C or SIGTERM tells every member and stops.')
    .action(async (opts: RawOptions) => setExitCode(await actions.serve(parseServeOptions(opts, env))));

  addAdvertiseOptions(
    addServerListenOptions(
      program
        .command('host')
        .argument('<room>', 'name of the room to create')
        .description('start a server here and chat in a new room on it as its host'),
    ),
    true,
  )
    .option('--name <name>', 'your name in the room (asked on a terminal if missing)')
    .option('--password <password>', 'password others need to join (asked on a terminal if missing; empty for none)')
    .option('--cipher <name>', CIPHER_HELP)
    .addOption(
      new Option('--log-level <level>', withDefault('server log lines (JSON, on stderr)', 'silent')).choices(
        LOG_LEVELS,
      ),
    )
    .addHelpText('after', `${CHAT_HELP}\nLeaving the room closes it and stops the server.`)
    .action(async (room: string, opts: RawOptions) =>
      setExitCode(await actions.host(warnAboutPassword(io, opts, parseHostOptions(room, opts, env)))),
    );

  program
    .command('discover')
    .description('list the rooms advertised on the local network')
    .option('--once [seconds]', `listen this long, print the rooms and exit (default: ${DISCOVER_ONCE_DEFAULT_S})`)
    .addHelpText(
      'after',
      '\nOne room per line: host:port, "open" or "password", then the room name. Without --once it runs\nuntil Ctrl+C and prints "+ " before a room that appeared and "- " before one that went.',
    )
    .action(async (opts: RawOptions) => setExitCode(await actions.discover(parseDiscoverOptions(opts))));

  for (const mode of ['create', 'join'] as const) {
    const command = program.command(mode);
    if (mode === 'create') {
      command
        .argument('<server>', `server address: host, host:port, [ipv6]:port (default port ${DEFAULT_PORT})`)
        .argument('<room>', 'room name');
    } else {
      // The room is optional only because an invite link carries it; joinTarget enforces the rest.
      command
        .usage(`[options] <server> <room>\n       tincan join [options] <link>`)
        .argument(
          '<server>',
          `server address: host, host:port, [ipv6]:port (default port ${DEFAULT_PORT}), or an invite link ${LINK_SCHEME}://join?…`,
        )
        .argument('[room]', 'room name (not with a link)');
    }
    command
      .description(
        mode === 'create'
          ? 'create a room on a running server and chat in it as its host'
          : 'join a room on a running server',
      )
      .option('--name <name>', 'your name in the room (asked on a terminal if missing)')
      .option(
        '--password <password>',
        mode === 'create'
          ? 'password others need to join (asked on a terminal if missing; empty for none)'
          : 'room password (asked on a terminal when the room needs one)',
      )
      .option('--udp-port <n>', "the server's UDP port (default: its TCP port)")
      .option(
        '--fingerprint <sha256>',
        'accept only this host certificate (the host prints it); overrides a remembered one',
      )
      .option('--plain', 'speak the plain spec protocol, without TLS (the password and chat travel in clear)')
      .option('--cipher <name>', CIPHER_HELP)
      .addHelpText('after', CHAT_HELP)
      .action(async (server: string, room: string | undefined, opts: RawOptions) => {
        const target = joinTarget(server, room, () =>
          command.error("error: missing required argument 'room'", { code: 'commander.missingArgument' }),
        );
        const fromLink = target.fingerprint;
        if (fromLink !== undefined && opts['fingerprint'] === undefined) opts['fingerprint'] = fromLink;
        setExitCode(
          await actions.room(
            warnAboutPassword(io, opts, parseRoomOptions(mode, target.server, target.room, opts, env)),
          ),
        );
      });
  }
  return program;
}

/** Parses `argv` (as in process.argv) and runs the command. Never throws: returns the exit code. */
export async function runCli(argv: string[], actions: CommandActions, env: Env, io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.OK;
  const program = buildProgram(actions, env, io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed what it had to say. Help asked for exits 0; anything else (unknown
      // option, missing argument, `tincan` alone) is a usage mistake.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (err instanceof CliError) {
      io.writeErr(`tincan: ${err.message}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.writeErr(`tincan: unexpected error: ${message}\n`);
    return ExitCode.FAILURE;
  }
}
