/**
 * A small structured logger: one line per record on stderr, human-readable by default, JSON with
 * DRIFTWATCH_LOG_FORMAT=json. Fields never include credentials; callers pass what is safe to print.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  level: LogLevel = (process.env.DRIFTWATCH_LOG_LEVEL as LogLevel | undefined) ?? 'info',
  format: 'text' | 'json' = process.env.DRIFTWATCH_LOG_FORMAT === 'json' ? 'json' : 'text',
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const log = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < threshold) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level: lvl, message, ...fields }));
    } else {
      const rest = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${time} ${lvl.padEnd(5)} ${message}${rest ? ` ${rest}` : ''}`);
    }
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

export const silentLogger: Logger = createLogger('silent');
