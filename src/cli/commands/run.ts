import type { AnyFactory } from '../../component/types.js';
import { parseDuration } from '../../config/schema.js';
import { errorMessage } from '../../errors/errors.js';
import { startCollector } from '../../service/collector.js';
import { createLogger } from '../../telemetry/logger.js';
import { loadAndReport, type Output } from './validate.js';

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * Runs the collector until SIGTERM or SIGINT, then shuts down gracefully: receivers stop,
 * processors and exporters drain. A second signal, or the shutdown timeout, ends it at once.
 * Resolves with the process exit code.
 */
export async function runCommand(
  configs: readonly string[],
  sets: readonly string[],
  shutdownTimeout: string | undefined,
  factories: readonly AnyFactory[],
  io: Output,
): Promise<number> {
  const timeoutMs =
    shutdownTimeout === undefined ? DEFAULT_SHUTDOWN_TIMEOUT_MS : parseDuration(shutdownTimeout);
  if (timeoutMs === undefined) {
    io.err(`error: --shutdown-timeout ${shutdownTimeout}: expected a duration such as 30s`);
    return 1;
  }
  const resolved = loadAndReport(configs, sets, factories, io);
  if (!resolved) return 1;
  const { level, encoding } = resolved.telemetry.logs;
  const logger = createLogger(level, 2, encoding);
  // Signals are taken from the start: one that comes while the pipelines start (a process
  // manager stopping the collector at once) must shut it down, not kill it mid-way.
  const signals: NodeJS.Signals[] = [];
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    signals.push(signal);
  };
  const listener = (signal: NodeJS.Signals) => onSignal(signal);
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector(resolved, logger);
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'collector failed to start');
    process.off('SIGTERM', listener);
    process.off('SIGINT', listener);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let signalled = false;
    onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        logger.warn({ signal }, 'second signal: exiting without finishing the shutdown');
        resolve(130);
        return;
      }
      signalled = true;
      logger.info({ signal }, 'signal received, shutting down');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown did not finish in time; exiting');
        resolve(1);
      }, timeoutMs);
      collector.shutdown().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(timer);
          logger.error({ err: errorMessage(err) }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    for (const signal of signals) onSignal(signal);
  });
}
