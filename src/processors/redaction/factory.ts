import { defineProcessorFactory } from '../../component/types.js';
import { compileRegex } from '../../config/regex.js';
import { mapSpans } from '../../pdata/map-spans.js';
import type { AnyValue, Attributes, Span, Traces } from '../../pdata/traces.js';
import { Pacer } from '../../pipeline/pacer.js';
import { defineProcessor } from '../../processorhelper/define-processor.js';
import { BUILTIN_PATTERNS } from './builtin-patterns.js';
import {
  createDefaultConfig,
  type RedactionConfig,
  redactionConfigSchema,
  validate,
} from './config.js';
import { MASK, Masker } from './masker.js';
import { type RedactionRules, redactAttributes } from './redact.js';

function rulesFor(config: RedactionConfig): RedactionRules {
  const values = new Masker(
    [
      ...config.blocked_values.map((p) => ({ re: compileRegex(p) })),
      ...config.builtin_patterns.flatMap((name) => BUILTIN_PATTERNS[name]),
    ],
    config.allowed_values.map((p) => compileRegex(p)),
  );
  return {
    allowAllKeys: config.allow_all_keys,
    allowedKeys: new Set(config.allowed_keys),
    ignoredKeys: new Set(config.ignored_keys),
    blockedKeys: config.blocked_key_patterns.map((p) => compileRegex(p)),
    values,
    wholeValue: (v: AnyValue) => (typeof v === 'string' && v !== '' ? MASK : v === null ? v : MASK),
  };
}

/**
 * `redaction`: removes attributes that are not allowed and masks secrets and PII in the rest,
 * in span and event attributes (prompts in `input.value`/`output.value` included), as the
 * Collector's redaction processor does; `summary` records what it did on the span.
 */
export const redactionProcessorFactory = defineProcessorFactory<RedactionConfig>({
  type: 'redaction',
  stability: 'beta',
  configSchema: redactionConfigSchema,
  createDefaultConfig,
  validate,
  create(settings, config, next) {
    const rules = rulesFor(config);
    return defineProcessor(settings, next, {
      process: (traces) => redactTraces(traces, rules, config.summary),
    });
  },
});

/** Redacts every span, pausing between values so long values do not hold the event loop. */
async function redactTraces(
  traces: Traces,
  rules: RedactionRules,
  summary: RedactionConfig['summary'],
): Promise<Traces> {
  const pacer = new Pacer();
  const redacted = new Map<Span, Span>();
  for (const rs of traces.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const out = await redactSpan(span, rules, summary, pacer);
        if (out !== span) redacted.set(span, out);
        await pacer.step();
      }
    }
  }
  if (redacted.size === 0) return traces;
  return mapSpans(traces, ({ span }) => redacted.get(span) ?? span);
}

async function redactSpan(
  span: Span,
  rules: RedactionRules,
  summary: RedactionConfig['summary'],
  pacer: Pacer,
): Promise<Span> {
  const own = await redactAttributes(span.attributes, rules, pacer);
  let eventChanged = false;
  const events: Span['events'][number][] = [];
  for (const e of span.events) {
    const r = await redactAttributes(e.attributes, rules, pacer);
    own.redactedKeys.push(...r.redactedKeys);
    own.maskedKeys.push(...r.maskedKeys);
    if (r.attributes === e.attributes) events.push(e);
    else {
      eventChanged = true;
      events.push({ ...e, attributes: r.attributes });
    }
  }
  const touched = own.attributes !== span.attributes || eventChanged;
  if (!touched && (summary === 'silent' || own.ignored === 0)) return span;
  return {
    ...span,
    attributes: withSummary(own.attributes, summary, own.redactedKeys, own.maskedKeys, own.ignored),
    events: eventChanged ? events : span.events,
  };
}

/** The Collector's diagnostic attributes: counts at `info`, key names too at `debug`. */
function withSummary(
  attrs: Attributes,
  summary: RedactionConfig['summary'],
  redacted: string[],
  masked: string[],
  ignored: number,
): Attributes {
  if (summary === 'silent') return attrs;
  const out = attrs.filter((kv) => !kv.key.startsWith('redaction.'));
  const add = (key: string, value: AnyValue) => out.push({ key, value });
  if (summary === 'debug' && redacted.length > 0)
    add('redaction.redacted.keys', [...new Set(redacted)].sort().join(','));
  if (redacted.length > 0) add('redaction.redacted.count', BigInt(redacted.length));
  if (summary === 'debug' && masked.length > 0)
    add('redaction.masked.keys', [...new Set(masked)].sort().join(','));
  if (masked.length > 0) add('redaction.masked.count', BigInt(masked.length));
  if (ignored > 0) add('redaction.ignored.count', BigInt(ignored));
  return out;
}
