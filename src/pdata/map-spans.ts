import type {
  InstrumentationScope,
  Resource,
  ResourceSpans,
  ScopeSpans,
  Span,
  Traces,
} from './traces.js';

export interface SpanInContext {
  readonly span: Span;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

/**
 * A new batch with `fn` applied to every span: return the span itself to keep it unchanged, a
 * new span to replace it, or null to drop it. Scopes and resources left without spans are
 * dropped. Parts where nothing changed are reused, not copied.
 */
export function mapSpans(traces: Traces, fn: (ctx: SpanInContext) => Span | null): Traces {
  let changed = false;
  const resourceSpans: ResourceSpans[] = [];
  for (const rs of traces.resourceSpans) {
    const scopeSpans: ScopeSpans[] = [];
    let rsChanged = false;
    for (const ss of rs.scopeSpans) {
      const spans: Span[] = [];
      let ssChanged = false;
      for (const span of ss.spans) {
        const out = fn({ span, resource: rs.resource, scope: ss.scope });
        if (out !== span) ssChanged = true;
        if (out !== null) spans.push(out);
      }
      if (!ssChanged) scopeSpans.push(ss);
      else {
        rsChanged = true;
        if (spans.length > 0) scopeSpans.push({ ...ss, spans });
      }
    }
    if (!rsChanged) resourceSpans.push(rs);
    else {
      changed = true;
      if (scopeSpans.length > 0) resourceSpans.push({ ...rs, scopeSpans });
    }
  }
  return changed ? { resourceSpans } : traces;
}

/** A new batch with `fn` applied to every resource (return it unchanged to keep it). */
export function mapResources(traces: Traces, fn: (resource: Resource) => Resource): Traces {
  let changed = false;
  const resourceSpans = traces.resourceSpans.map((rs) => {
    const resource = fn(rs.resource);
    if (resource === rs.resource) return rs;
    changed = true;
    return { ...rs, resource };
  });
  return changed ? { resourceSpans } : traces;
}
