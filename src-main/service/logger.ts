// The app's logger: the chat library's JSON-lines logger on stderr (stdout is reserved for the
// web-mode URL line), with a component name on every line.
import { createLogger, type Logger } from '../engine/index.js';

export function stderrLogger(component: string): Logger {
  const base = createLogger({ level: process.env.TINCAN_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const tag = (fields?: Record<string, unknown>) => ({ component, ...fields });
  return {
    debug: (event, fields) => base.debug(event, tag(fields)),
    info: (event, fields) => base.info(event, tag(fields)),
    warn: (event, fields) => base.warn(event, tag(fields)),
    error: (event, fields) => base.error(event, tag(fields)),
  };
}

export type { Logger } from '../engine/index.js';
