import type { Component, Settings, TracesConsumer } from '../../component/types.js';
import { defineExporter } from '../../exporterhelper/define-exporter.js';
import { encodeTracesJson } from '../../otlp/json-codec.js';
import type { FileConfig } from './config.js';
import { LineFile } from './line-file.js';

/**
 * Creates a `file` exporter: each batch becomes one OTLP/JSON `ExportTraceServiceRequest` on its
 * own line, as the Collector's file exporter writes it, so the file can be replayed or read with
 * `jq`. An export completes once its line is in the file; a failed write is retryable and leaves
 * no partial line behind (see `LineFile`).
 */
export function createFileExporter(
  settings: Settings,
  config: FileConfig,
  now?: () => Date,
): Component & TracesConsumer {
  const file = new LineFile({
    path: config.path,
    append: config.append,
    rotation: config.rotation,
    syncIntervalMs: config.flush_interval,
    logger: settings.logger,
    now,
  });
  return defineExporter(settings, {
    start: () => file.open(),
    // The encoder writes compact JSON, which never holds a raw newline: one request, one line.
    push: (traces) => file.append(encodeTracesJson(traces)),
    shutdown: () => file.close(),
  });
}
