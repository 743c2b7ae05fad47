/**
 * The Opik versions the fake plays. Behaviour is per reference/opik.md: 2.1.23 is the label U
 * (the full detail); "2.2" is what changed after it up to the newest release, 2.2.122. The fake
 * does not tell 2.2.x releases apart: every version from 2.2.0 on behaves as 2.2.122.
 */
export const OPIK_2_1 = '2.1.23';
export const OPIK_2_2 = '2.2.122';

/** What changed after 2.1.23 (reference/opik.md, "Changes from 2.1.23 to 2.2.x"). */
export interface Behaviour {
  readonly version: string;
  /** PR #7499: prefix rules store under the stripped key; a bare JSON-object value is merged. */
  readonly strippedKeys: boolean;
  /** PR #7504: `parentSpanId` == `traceId` is a root; several roots of one trace make one trace. */
  readonly rootFixes: boolean;
  /** PR #7537: a root span's tags are copied to its trace. */
  readonly rootTagsOnTrace: boolean;
  /** 2.2.0: `gen_ai.tool.call.arguments` / `.result` set the span type `tool`. */
  readonly toolCallType: boolean;
  /** PR #7909: `gen_ai.provider.name` and the provider alias map. */
  readonly providerName: boolean;
  /** PR #7553: a span's `trace_id` / `parent_span_id` must be UUIDv7 on the REST API. */
  readonly referencedIdsV7: boolean;
  /** PR #7483: `Content-Length` over the limit → 413, an invalid one → 400, on every route. */
  readonly sizeGuard: boolean;
}

export function behaviourOf(version: string): Behaviour {
  const v22 = compareVersions(version, '2.2.0') >= 0;
  return {
    version,
    strippedKeys: v22,
    rootFixes: v22,
    rootTagsOnTrace: v22,
    toolCallType: v22,
    providerName: v22,
    referencedIdsV7: v22,
    sizeGuard: v22,
  };
}

/** Compares dotted numeric versions (`2.2.10` > `2.2.9`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
