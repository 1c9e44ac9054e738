// Exit codes of the CLI and the error type that carries one. Scripts match on the codes.

export const ExitCode = {
  OK: 0,
  /** Something failed at run time: port in use, room exists, wrong password, server unreachable. */
  FAILURE: 1,
  /** The command line was wrong: bad option value, bad address, missing name without a terminal. */
  USAGE: 2,
  /** The room closed under us: the host closed or left it, or the server shut down. */
  ROOM_CLOSED: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure with a one-line message meant for the user and the exit code to leave with. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.FAILURE,
  ) {
    super(message);
  }
}

/** A command-line mistake: exit code 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}
