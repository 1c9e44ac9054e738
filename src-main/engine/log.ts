// Structured logging: one JSON object per line, so logs can be grepped and parsed alike.
// No dependency, no electron: the server, the CLI and the Electron main process all use this.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

// Errors have no enumerable fields and bigints do not serialise; render both readably.
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined ? { message: value.message } : { message: value.message, code };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Creates a logger that writes `{"t": ISO time, "level", "event", ...fields}` as one line per event.
 * `write` receives the line without a trailing newline; the default appends one and writes to stderr.
 */
export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => void process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, event: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < min) return;
    const t = new Date().toISOString();
    let line: string;
    try {
      line = JSON.stringify({ t, level, event, ...fields }, replacer);
    } catch {
      line = JSON.stringify({ t, level, event, note: 'fields could not be serialised' });
    }
    try {
      write(line);
    } catch {
      // A broken log sink must never take the server down.
    }
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

const noop = (): void => {};

/** A logger that discards everything (tests, embedding). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
