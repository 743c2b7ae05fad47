import type { KeyValue } from '../../pdata/traces.js';
import type { OpikIds } from './assign-ids.js';
import type { OpikEncoding } from './opik-version.js';
import type { SpanFields } from './span-fields.js';
import { parsesAlike } from './values.js';

/**
 * The OTLP attributes that make one Opik version store exactly the object the REST path writes
 * (mapping.ts), per Opik's rules for that version (reference/opik.md §2): 2.1 stores every
 * attribute under its full key; 2.2 strips a prefix rule's prefix (`input.value` → `value`) and
 * merges a bare JSON object. So on 2.2 each key is written under a prefix whose stripped form is
 * the key itself: `input.input.value` → `input["input.value"]`, `opik.metadata.<k>` →
 * `metadata[<k>]`.
 */
const KEYS: Record<
  OpikEncoding,
  { readonly input: string; readonly output: string; metadata(key: string): string }
> = {
  '2.1': { input: 'input.value', output: 'output.value', metadata: (key) => key },
  '2.2': {
    input: 'input.input.value',
    output: 'output.output.value',
    metadata: (key) => `opik.metadata.${key}`,
  },
};

/**
 * Providers Opik rewrites on its OTLP path (the REST path stores them as given): `google` by
 * `server.address` in both versions; in 2.2 also `gcp.gen_ai` and the aliases of
 * `GenAiProviderAliasResolver`. Compared trimmed and lower-cased.
 */
const REWRITTEN_PROVIDERS: Record<OpikEncoding, ReadonlySet<string>> = {
  '2.1': new Set(['google']),
  '2.2': new Set([
    'google',
    'gcp.gen_ai',
    'vertex_ai',
    'gcp.vertex_ai',
    'gcp.gemini',
    'aws.bedrock',
    'az.ai.openai',
    'azure.ai.openai',
    'mistral_ai',
    'x_ai',
  ]),
};

/** Why Opik's OTLP mapping (in this version) cannot produce this span's object, if it cannot. */
export function otlpBlocker(fields: SpanFields, encoding: OpikEncoding): string | undefined {
  if (fields.type === 'tool' || fields.type === 'guardrail') {
    return `no OTLP attribute makes Opik set type ${fields.type}`;
  }
  const texts = [
    fields.input,
    fields.output,
    fields.threadId,
    ...fields.nativeMetadata.map(([, v]) => v),
  ];
  if (!texts.every((t) => t === undefined || parsesAlike(t))) {
    return 'text that looks like JSON but is not, which Opik’s reader may parse differently';
  }
  const operation = fields.nativeMetadata.find(([k]) => k === 'gen_ai.operation.name')?.[1];
  if (fields.type === 'llm') {
    if (operation === 'invoke_agent') return 'Opik forces invoke_agent spans to type general';
    const llm = fields.llm!;
    const marked = llm.model ?? llm.provider ?? llm.cost ?? Object.keys(llm.usage)[0];
    if (marked === undefined) return 'an llm span without model, provider or usage';
    const provider = llm.provider?.trim().toLowerCase();
    if (provider !== undefined && REWRITTEN_PROVIDERS[encoding].has(provider)) {
      return `Opik ${encoding} rewrites provider ${JSON.stringify(llm.provider)} on its OTLP path`;
    }
  }
  return undefined;
}

/** The attributes sent over OTLP: under each one's key, Opik stores exactly the intended field. */
export function wireAttributes(
  fields: SpanFields,
  ids: OpikIds,
  extraJson: string | undefined,
  encoding: OpikEncoding,
): KeyValue[] {
  const keys = KEYS[encoding];
  const wire: KeyValue[] = [];
  const add = (key: string, value: KeyValue['value']) => wire.push({ key, value });
  if (fields.input !== undefined) add(keys.input, fields.input);
  if (fields.output !== undefined) add(keys.output, fields.output);
  for (const [key, value] of fields.nativeMetadata) add(keys.metadata(key), value);
  if (fields.threadId !== undefined) add('thread_id', fields.threadId);
  if (fields.tags.length > 0) add('opik.tags', fields.tags);
  if (extraJson !== undefined) add(keys.metadata('opik.metadata'), extraJson);
  const llm = fields.llm;
  if (llm) {
    if (llm.model !== undefined) add(llm.modelKey!, llm.model);
    if (llm.provider !== undefined) add('gen_ai.system', llm.provider);
    for (const [k, n] of Object.entries(llm.usage)) add(`gen_ai.usage.${k}`, BigInt(n));
    if (llm.cost !== undefined) add('gen_ai.usage.cost', llm.cost);
  }
  add('opik.trace_id', ids.traceId);
  add('opik.span_id', ids.spanId);
  if (ids.parentSpanId !== null) add('opik.parent_span_id', ids.parentSpanId);
  return wire;
}
