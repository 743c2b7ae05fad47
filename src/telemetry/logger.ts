import { writeSync } from 'node:fs';
import { type DestinationStream, type Logger, pino } from 'pino';
import { scrubSecrets } from '../config/secret.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogEncoding = 'json' | 'console';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  'api_key',
  '*.api_key',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'password',
  '*.password',
];

/**
 * The collector's structured logger, on stderr (stdout belongs to commands such as
 * `print-config`): JSON lines, or with `console` encoding one tab-separated line per entry as the
 * Collector writes them (time, level, component, message, the other fields as JSON). Synchronous
 * writes: log lines are rare by design (problems are counted, not logged per item), and a crash
 * must not lose the line that explains it. Every line is scrubbed of the secrets the process knows
 * and of passwords in URLs before it is written, wherever in the line they ended up.
 */
export function createLogger(
  level: LogLevel = 'info',
  destination = 2,
  encoding: LogEncoding = 'json',
): Logger {
  return pino(
    {
      level,
      base: { service: 'dify-opik-collector' },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: scrubSecrets },
    },
    encoding === 'console'
      ? consoleDestination(destination)
      : pino.destination({ dest: destination, sync: true }),
  );
}

/**
 * `,"time":"2026-01-01T00:00:00.000Z"`, as pino's `isoTime` writes it but from the UTC getters:
 * `Date.prototype.toISOString` reads ICU's data the first time it runs, 0.6 MiB of RSS kept for
 * the life of the process (docs/benchmarks.md, "Idle memory").
 */
export function isoTime(now = Date.now()): string {
  const d = new Date(now);
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  return `,"time":"${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}Z"`;
}

/** Rewrites each JSON line pino produces (secrets already redacted) as a console line. */
function consoleDestination(fd: number): DestinationStream {
  return {
    write(line: string) {
      writeSync(fd, `${consoleLine(line)}\n`);
    },
  };
}

/** `2026-01-01T00:00:00.000Z\tinfo\texporter/opik\tmessage\t{"other":"fields"}`. */
export function consoleLine(json: string): string {
  const {
    time,
    level,
    component,
    msg,
    service: _service,
    ...rest
  } = JSON.parse(json) as Record<string, unknown>;
  const fields = Object.keys(rest).length > 0 ? `\t${JSON.stringify(rest)}` : '';
  return `${String(time)}\t${String(level)}\t${component ?? '-'}\t${msg ?? ''}${fields}`;
}

/** A logger that drops everything: for tests and for commands that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
