import { type Logger, pino } from 'pino';
import { scrubSecrets } from '../config/secret.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

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
 * The collector's structured JSON logger, on stderr (stdout belongs to commands such as
 * `print-config`). Synchronous writes: log lines are rare by design (problems are counted, not
 * logged per item), and a crash must not lose the line that explains it. Every line is scrubbed
 * of the secrets the process knows and of passwords in URLs before it is written, wherever in
 * the line they ended up (an error message, a URL).
 */
export function createLogger(level: LogLevel = 'info', destination = 2): Logger {
  return pino(
    {
      level,
      base: { service: 'dify-opik-collector' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: scrubSecrets },
    },
    pino.destination({ dest: destination, sync: true }),
  );
}

/** A logger that drops everything: for tests and for commands that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
