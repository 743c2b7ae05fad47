// The benchmark's requests: 100 spans in 10 traces of 10 (a root and nine children), encoded
// once with protobufjs, in one of two shapes:
//   testbed — the Collector testbed's spans: `load-generator-span`, kind CLIENT, two int attributes
//   genai   — an LLM application's spans in the canonical vocabulary (docs/semantic-conventions.md):
//             about 80 KB per request; a third of the spans are `chat` calls carrying a prompt and a
//             completion of a few hundred bytes each, a third embeddings calls, a third database
//             queries, under an agent's root span
// `freshBody` copies an encoded request with new trace and span ids, so that a load generator sends
// distinct traces, as instrumented services do, for the cost of a copy.
import { randomBytes, randomFillSync } from 'node:crypto';
import protobuf from 'protobufjs';

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => new URL(`../proto/${target}`, import.meta.url).pathname;
root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
export const ExportTraceServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);

export const SHAPES = ['testbed', 'genai'];
const TRACE_SPANS = 10;

const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: value } });
const dbl = (key, value) => ({ key, value: { doubleValue: value } });

// Deterministic text (a fixed seed), so that every run sends the same sizes and gzip sees the same
// entropy.
const WORDS =
  'the a of to and in is for on with that as by this from be are at or an it not which have has was can will more other each model answer question context document user assistant tool result step plan retrieve search summary reason cost token latency'.split(
    ' ',
  );
function text(seed, bytes) {
  let x = seed * 2654435761;
  const out = [];
  let n = 0;
  while (n < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = WORDS[x % WORDS.length];
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ').slice(0, bytes);
}

const testbedAttributes = (i, trace) => [
  int('load_generator.span_seq_num', i),
  int('load_generator.trace_seq_num', trace),
];

/** One span of an LLM application trace: position 0 is the request, 1-3-… the model calls. */
function genaiAttributes(i, trace) {
  const pos = i % TRACE_SPANS;
  const common = [
    str('http.route', '/v1/chat-messages'),
    str('session.id', `session-${trace.toString(16).padStart(8, '0')}`),
    str('user.id', 'user-42'),
  ];
  if (pos === 0) {
    return [
      ...common,
      str('gen_ai.operation.name', 'invoke_agent'),
      str('gen_ai.conversation.id', `conv-${trace}`),
      str('input.value', text(i, 140)),
      str('output.value', text(i + 1, 200)),
      str('opik.metadata', JSON.stringify({ app: 'support-bot', env: 'production' })),
    ];
  }
  if (pos % 3 === 1) {
    // The model calls: a third of the spans, with prompt and completion.
    const prompt = JSON.stringify([
      { role: 'system', content: text(i + 2, 200) },
      { role: 'user', content: text(i + 3, 260) },
    ]);
    const completion = JSON.stringify([{ role: 'assistant', content: text(i + 4, 360) }]);
    return [
      ...common,
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.request.model', 'gpt-4.1-mini'),
      str('gen_ai.response.model', 'gpt-4.1-mini-2025-04-14'),
      dbl('gen_ai.request.temperature', 0.2),
      int('gen_ai.usage.input_tokens', 312),
      int('gen_ai.usage.output_tokens', 118),
      int('gen_ai.usage.total_tokens', 430),
      dbl('gen_ai.usage.cost', 0.000313),
      str('input.value', prompt),
      str('input.mime_type', 'application/json'),
      str('output.value', completion),
      str('output.mime_type', 'application/json'),
    ];
  }
  if (pos % 3 === 2) {
    return [
      ...common,
      str('gen_ai.operation.name', 'embeddings'),
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.request.model', 'text-embedding-3-small'),
      int('gen_ai.usage.input_tokens', 24),
      str('input.value', text(i + 5, 120)),
    ];
  }
  return [
    ...common,
    str('db.system.name', 'postgresql'),
    str('db.operation.name', 'SELECT'),
    str('db.query.text', 'SELECT id, content, embedding FROM chunks WHERE dataset_id = $1 LIMIT 4'),
    str('server.address', 'db.internal'),
    int('server.port', 5432),
  ];
}

const RESOURCES = {
  testbed: [str('service.name', 'bench')],
  genai: [
    str('service.name', 'support-bot-api'),
    str('service.version', '1.14.2'),
    str('deployment.environment.name', 'production'),
    str('telemetry.sdk.name', 'opentelemetry'),
    str('telemetry.sdk.language', 'python'),
    str('telemetry.sdk.version', '1.39.1'),
    str('host.name', 'api-7f9c6d5b8-x2k4p'),
  ],
};

/** An encoded request of `spanCount` spans (a multiple of 10) in `shape`, with random ids. */
export function makeRequestBody(spanCount, shape = 'testbed') {
  if (!SHAPES.includes(shape)) throw new Error(`unknown shape ${shape}; one of ${SHAPES}`);
  const now = BigInt(Date.now()) * 1_000_000n;
  let traceId;
  let rootId;
  const spans = Array.from({ length: spanCount }, (_, i) => {
    const trace = Math.floor(i / TRACE_SPANS);
    if (i % TRACE_SPANS === 0) {
      traceId = randomBytes(16);
      rootId = randomBytes(8);
    }
    const isRoot = i % TRACE_SPANS === 0;
    return {
      traceId,
      spanId: isRoot ? rootId : randomBytes(8),
      parentSpanId: isRoot ? undefined : rootId,
      name: shape === 'testbed' ? 'load-generator-span' : genaiName(i),
      kind: shape === 'testbed' ? 3 : isRoot ? 2 : 1,
      startTimeUnixNano: (now + BigInt(i) * 1000n).toString(),
      endTimeUnixNano: (now + BigInt(i) * 1000n + 1_000_000n).toString(),
      attributes: shape === 'testbed' ? testbedAttributes(i, trace) : genaiAttributes(i, trace),
    };
  });
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes: RESOURCES[shape] },
        scopeSpans: [{ scope: { name: shape === 'testbed' ? 'bench' : 'support-bot' }, spans }],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

function genaiName(i) {
  const pos = i % TRACE_SPANS;
  if (pos === 0) return 'POST /v1/chat-messages';
  if (pos % 3 === 1) return 'chat gpt-4.1-mini';
  if (pos % 3 === 2) return 'embeddings text-embedding-3-small';
  return 'SELECT chunks';
}

/**
 * A request to send many times with fresh ids: its bytes and where each of its ids sits (a span's
 * id and its children's parent id share one slot, a trace id all its spans').
 */
export function makeTemplate(spanCount, shape = 'testbed') {
  const body = makeRequestBody(spanCount, shape);
  const decoded = ExportTraceServiceRequest.decode(body);
  const ids = new Map();
  for (const span of decoded.resourceSpans[0].scopeSpans[0].spans) {
    for (const id of [span.traceId, span.spanId]) ids.set(Buffer.from(id).toString('hex'), id);
  }
  const slots = [...ids.values()].map((id) => {
    const offsets = [];
    for (let at = body.indexOf(id); at !== -1; at = body.indexOf(id, at + id.length)) {
      offsets.push(at);
    }
    return { size: id.length, offsets };
  });
  return { body, slots };
}

/** A copy of the template's request with new random ids in every slot. */
export function freshBody({ body, slots }) {
  const out = Buffer.from(body);
  const random = randomFillSync(Buffer.allocUnsafe(slots.length * 16));
  slots.forEach((slot, k) => {
    for (const at of slot.offsets) random.copy(out, at, k * 16, k * 16 + slot.size);
  });
  return out;
}
