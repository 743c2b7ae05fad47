import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import type { Sender } from '../exporterhelper/sender.js';

/** What a scripted sender does on one call: succeed, fail with the error, or never settle. */
export type Step = 'ok' | 'hang' | Error;

/**
 * A sender that follows a script (the last step repeats) and records what it was asked to send:
 * the transport edge for tests of the wrappers in this folder.
 */
export function scriptedSender<T>(steps: readonly Step[]): Sender<T> & {
  readonly calls: T[];
  readonly signals: AbortSignal[];
  shutdowns: number;
} {
  const calls: T[] = [];
  const signals: AbortSignal[] = [];
  const sender = {
    calls,
    signals,
    shutdowns: 0,
    async send(request: T, signal: AbortSignal) {
      calls.push(request);
      signals.push(signal);
      const step = steps[Math.min(calls.length - 1, steps.length - 1)] ?? 'ok';
      if (step === 'hang') return new Promise<void>(() => {});
      if (step instanceof Error) throw step;
    },
    async start() {},
    async shutdown() {
      sender.shutdowns++;
    },
  };
  return sender;
}

/** A logger whose lines are kept as parsed objects. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}
