import type { ProcessorFactory } from '../component/types.js';
import { loadBuiltinFactories } from '../components.js';
import { parseYamlSource } from '../config/load.js';
import { Locations } from '../config/location.js';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError, formatIssue } from '../errors/errors.js';
import type { Span, Traces } from '../pdata/traces.js';
import { TestHost, testSettings } from './settings.js';
import { TracesSink } from './sink.js';

const builtinFactories = await loadBuiltinFactories();

/** Runs one batch through a processor built from `config` (defaults merged in); returns what came out. */
export async function runProcessor<C>(
  factory: ProcessorFactory<C>,
  config: Record<string, unknown>,
  traces: Traces,
): Promise<Traces[]> {
  const parsed = factory.configSchema.parse({ ...factory.createDefaultConfig(), ...config });
  const sink = new TracesSink();
  const processor = factory.create(testSettings('processor', factory.type, 'traces'), parsed, sink);
  await processor.start(new TestHost());
  await processor.consume(traces);
  await processor.shutdown();
  return sink.batches;
}

export function spansOf(batches: readonly Traces[]): Span[] {
  return batches.flatMap((b) =>
    b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  );
}

/**
 * The problems `validate` would print for a processor config written in YAML under
 * `processors: <type>:` in an otherwise valid collector config (file and line left out).
 */
export function processorConfigProblems(type: string, yaml: string): string[] {
  const text = `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\nprocessors:\n  ${type}:\n${yaml
    .split('\n')
    .map((l) => `    ${l}`)
    .join(
      '\n',
    )}\nexporters:\n  debug:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [${type}]\n      exporters: [debug]\n`;
  const locations = new Locations();
  const raw = parseYamlSource(text, 'test.yaml', locations) as Record<string, unknown>;
  try {
    resolveConfig({ raw, locations }, builtinFactories, {});
  } catch (err) {
    if (err instanceof ConfigError)
      return err.issues.map((i) => formatIssue({ ...i, file: undefined }));
    throw err;
  }
  return [];
}
