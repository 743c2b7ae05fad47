/**
 * Parsed OTLP/JSON → pdata. Each message is read by walking the keys the sender wrote, so both
 * lowerCamelCase and the proto's snake_case names are accepted, unknown keys are skipped (the
 * protobuf JSON mapping requires both), and absent fields cost nothing. Errors carry the
 * canonical camelCase path of the offending field, whichever spelling the sender used.
 */
import {
  type Attributes,
  EMPTY_RESOURCE,
  EMPTY_SCOPE,
  type InstrumentationScope,
  type Resource,
  type ResourceSpans,
  type ScopeSpans,
  type Span,
  type Traces,
} from '../pdata/traces.js';
import { FieldError, locate, NONE, within } from './field-error.js';
import { attributesFromJson } from './json-any-value.js';
import { type JsonObject, readArray, readObject, readString, readUint32 } from './json-scalars.js';
import { spanFromJson } from './json-span.js';
import { type DecodeLimits, tooManySpans } from './limits.js';

interface Ctx {
  readonly limits: DecodeLimits;
  spans: number;
}

/**
 * Converts a parsed `ExportTraceServiceRequest`, yielding after each span; throws a located
 * `FieldError` for bad input and `ERR_TOO_MANY_SPANS` past `limits.maxSpans`. Only nesting and
 * the span count are checked here; counts and lengths are cut afterwards (`limitTraces`).
 */
export function* tracesFromJson(
  root: unknown,
  limits: DecodeLimits,
): Generator<void, Traces, undefined> {
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new FieldError('', 'expected a JSON object at the top level');
  }
  const ctx: Ctx = { limits, spans: 0 };
  let resourceSpans: readonly ResourceSpans[] = NONE;
  for (const key in root) {
    if (key === 'resourceSpans' || key === 'resource_spans') {
      const list = readArray((root as JsonObject)[key], 'resourceSpans');
      const out: ResourceSpans[] = [];
      for (let i = 0; i < list.length; i++) {
        try {
          out.push(yield* resourceSpansFromJson(list[i], ctx));
        } catch (err) {
          throw locate(err, 'resourceSpans', i);
        }
      }
      resourceSpans = out.length === 0 ? NONE : out;
    }
  }
  return { resourceSpans };
}

function* resourceSpansFromJson(v: unknown, ctx: Ctx): Generator<void, ResourceSpans, undefined> {
  const o = readObject(v, '');
  let resource = EMPTY_RESOURCE;
  let scopeSpans: readonly ScopeSpans[] = NONE;
  let schemaUrl = '';
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'resource':
        if (x !== null) resource = within('resource', x, (r) => resourceFromJson(r, ctx));
        break;
      case 'scopeSpans':
      case 'scope_spans': {
        const list = readArray(x, 'scopeSpans');
        const out: ScopeSpans[] = [];
        for (let i = 0; i < list.length; i++) {
          try {
            out.push(yield* scopeSpansFromJson(list[i], ctx));
          } catch (err) {
            throw locate(err, 'scopeSpans', i);
          }
        }
        scopeSpans = out.length === 0 ? NONE : out;
        break;
      }
      case 'schemaUrl':
      case 'schema_url':
        schemaUrl = readString(x, 'schemaUrl');
        break;
    }
  }
  return { resource, scopeSpans, schemaUrl };
}

function resourceFromJson(v: unknown, ctx: Ctx): Resource {
  const o = readObject(v, '');
  let attributes: Attributes = NONE;
  let droppedAttributesCount = 0;
  for (const key in o) {
    const x = o[key];
    if (key === 'attributes') attributes = attributesFromJson(x, ctx.limits.maxDepth);
    else if (key === 'droppedAttributesCount' || key === 'dropped_attributes_count') {
      droppedAttributesCount = readUint32(x, 'droppedAttributesCount');
    }
  }
  if (attributes.length === 0 && droppedAttributesCount === 0) return EMPTY_RESOURCE;
  return { attributes, droppedAttributesCount };
}

function* scopeSpansFromJson(v: unknown, ctx: Ctx): Generator<void, ScopeSpans, undefined> {
  const o = readObject(v, '');
  let scope = EMPTY_SCOPE;
  let spans: readonly Span[] = NONE;
  let schemaUrl = '';
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'scope':
        if (x !== null) scope = within('scope', x, (sc) => scopeFromJson(sc, ctx));
        break;
      case 'spans': {
        const list = readArray(x, 'spans');
        const out: Span[] = [];
        for (let i = 0; i < list.length; i++) {
          if (++ctx.spans > ctx.limits.maxSpans) throw tooManySpans(ctx.limits.maxSpans);
          try {
            out.push(spanFromJson(list[i], ctx.limits.maxDepth));
          } catch (err) {
            throw locate(err, 'spans', i);
          }
          yield;
        }
        spans = out.length === 0 ? NONE : out;
        break;
      }
      case 'schemaUrl':
      case 'schema_url':
        schemaUrl = readString(x, 'schemaUrl');
        break;
    }
  }
  return { scope, spans, schemaUrl };
}

function scopeFromJson(v: unknown, ctx: Ctx): InstrumentationScope {
  const o = readObject(v, '');
  let name = '';
  let version = '';
  let attributes: Attributes = NONE;
  let droppedAttributesCount = 0;
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'name':
        name = readString(x, 'name');
        break;
      case 'version':
        version = readString(x, 'version');
        break;
      case 'attributes':
        attributes = attributesFromJson(x, ctx.limits.maxDepth);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        droppedAttributesCount = readUint32(x, 'droppedAttributesCount');
        break;
    }
  }
  return { name, version, attributes, droppedAttributesCount };
}
