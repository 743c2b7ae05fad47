import type { SpanInContext } from '../../pdata/map-spans.js';
import type {
  InstrumentationScope,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
  Traces,
} from '../../pdata/traces.js';
import type { Released } from './dify/hold.js';
import { normalizeSpan } from './normalize.js';

/** The schema URLs of the resources and scopes spans came under, kept for the way out. */
const schemaUrls = new WeakMap<Resource | InstrumentationScope, string>();

/** Every span with its resource and scope. */
export function* spansOf(traces: Traces): Generator<SpanInContext> {
  for (const rs of traces.resourceSpans) {
    if (rs.schemaUrl) schemaUrls.set(rs.resource, rs.schemaUrl);
    for (const ss of rs.scopeSpans) {
      if (ss.schemaUrl) schemaUrls.set(ss.scope, ss.schemaUrl);
      for (const span of ss.spans) yield { span, resource: rs.resource, scope: ss.scope };
    }
  }
}

/** One batch of the released spans, each under its own resource and scope. */
export function assemble(released: readonly Released[]): Traces {
  const byResource = new Map<Resource, Map<InstrumentationScope, Span[]>>();
  for (const { ctx, normalize } of released) {
    let scopes = byResource.get(ctx.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(ctx.resource, scopes);
    }
    let spans = scopes.get(ctx.scope);
    if (!spans) {
      spans = [];
      scopes.set(ctx.scope, spans);
    }
    spans.push(normalize ? normalizeSpan(ctx.span) : ctx.span);
  }
  const resourceSpans: ResourceSpans[] = [];
  for (const [resource, scopes] of byResource) {
    const scopeSpans: ScopeSpans[] = [];
    for (const [scope, spans] of scopes) {
      scopeSpans.push({ scope, spans, schemaUrl: schemaUrls.get(scope) ?? '' });
    }
    resourceSpans.push({ resource, scopeSpans, schemaUrl: schemaUrls.get(resource) ?? '' });
  }
  return { resourceSpans };
}
