import { stringify } from 'yaml';
import type { AnyFactory, Kind } from '../../component/types.js';
import type { Output } from './validate.js';

/** Prints the registered component types by kind, as `otelcol components` does (YAML). */
export function componentsCommand(
  factories: readonly AnyFactory[],
  version: string,
  io: Output,
): number {
  const byKind = (kind: Kind) =>
    factories
      .filter((f) => f.kind === kind)
      .map((f) => ({
        name: f.type,
        stability: kind === 'extension' ? f.stability : { traces: f.stability },
      }));
  io.out(
    stringify({
      buildinfo: { command: 'dify-opik-collector', version },
      receivers: byKind('receiver'),
      processors: byKind('processor'),
      exporters: byKind('exporter'),
      extensions: byKind('extension'),
    }).trimEnd(),
  );
  return 0;
}
