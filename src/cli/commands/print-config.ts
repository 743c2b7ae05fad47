import { stringify } from 'yaml';
import type { AnyFactory } from '../../component/types.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { redactSecrets, scrubSecrets } from '../../config/secret.js';
import { loadAndReport, type Output } from './validate.js';

/** The config as it will run: files merged, `--set` applied, env expanded, defaults filled in. */
export function effectiveConfig(resolved: ResolvedConfig): Record<string, unknown> {
  const sections: Record<string, Record<string, unknown>> = {
    receivers: {},
    processors: {},
    exporters: {},
    extensions: {},
  };
  for (const c of resolved.components.values()) sections[`${c.kind}s`]![c.id] = c.effective;
  return {
    ...sections,
    service: {
      extensions: resolved.extensions,
      pipelines: Object.fromEntries(
        resolved.pipelines.map((p) => [
          p.id,
          { receivers: p.receivers, processors: p.processors, exporters: p.exporters },
        ]),
      ),
      telemetry: resolved.telemetry,
    },
  };
}

export function printConfigCommand(
  configs: readonly string[],
  sets: readonly string[],
  flags: { mode?: string; format?: string },
  factories: readonly AnyFactory[],
  io: Output,
): number {
  if (flags.mode && flags.mode !== 'redacted' && flags.mode !== 'unredacted') {
    io.err('error: --mode must be redacted or unredacted');
    return 1;
  }
  if (flags.format && flags.format !== 'yaml' && flags.format !== 'json') {
    io.err('error: --format must be yaml or json');
    return 1;
  }
  const resolved = loadAndReport(configs, sets, factories, io);
  if (!resolved) return 1;
  const config = effectiveConfig(resolved);
  const redacted = flags.mode !== 'unredacted';
  const shown = redacted ? redactSecrets(config) : config;
  const text =
    flags.format === 'json' ? JSON.stringify(shown, null, 2) : stringify(shown).trimEnd();
  io.out(redacted ? scrubSecrets(text) : text);
  return 0;
}
