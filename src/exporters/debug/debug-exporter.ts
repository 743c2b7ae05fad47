import type { Writable } from 'node:stream';
import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { RetryableError } from '../../errors/errors.js';
import { defineExporter } from '../../exporterhelper/define-exporter.js';
import type { DebugConfig } from './config.js';
import { formatTraces } from './format.js';

/**
 * Creates a `debug` exporter: a readable account of every batch on `out` (stderr unless a test
 * passes its own stream). Each batch is one `write`, so concurrent batches never interleave, and
 * `push` resolves once the stream took the text, so a stalled stderr slows the pipeline instead
 * of filling memory.
 */
export function createDebugExporter(
  settings: Settings,
  config: DebugConfig,
  out: Writable = process.stderr,
): Component & TracesConsumer {
  return defineExporter(settings, {
    push(traces) {
      const text = formatTraces(traces, config.verbosity, settings.id);
      return new Promise<void>((resolve, reject) => {
        out.write(text, (err) => {
          if (err) {
            reject(
              new RetryableError(
                'ERR_EXPORT_FAILED',
                `debug exporter cannot write: ${err.message}`,
                {},
                { cause: err },
              ),
            );
          } else resolve();
        });
      });
    },
  });
}
