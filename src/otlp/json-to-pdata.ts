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
import { FieldError, mapWithin, NONE, within } from './field-error.js';
import { attributesFromJson } from './json-any-value.js';
import { type JsonObject, readArray, readObject, readString, readUint32 } from './json-scalars.js';
import { spanFromJson } from './json-span.js';

/** Converts a parsed `ExportTraceServiceRequest`; throws a located `FieldError` for bad input. */
export function tracesFromJson(root: unknown): Traces {
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new FieldError('', 'expected a JSON object at the top level');
  }
  let resourceSpans: readonly ResourceSpans[] = NONE;
  for (const key in root) {
    if (key === 'resourceSpans' || key === 'resource_spans') {
      const list = readArray((root as JsonObject)[key], 'resourceSpans');
      resourceSpans = mapWithin(list, 'resourceSpans', resourceSpansFromJson);
    }
  }
  return { resourceSpans };
}

function resourceSpansFromJson(v: unknown): ResourceSpans {
  const o = readObject(v, '');
  let resource = EMPTY_RESOURCE;
  let scopeSpans: readonly ScopeSpans[] = NONE;
  let schemaUrl = '';
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'resource':
        if (x !== null) resource = within('resource', x, resourceFromJson);
        break;
      case 'scopeSpans':
      case 'scope_spans':
        scopeSpans = mapWithin(readArray(x, 'scopeSpans'), 'scopeSpans', scopeSpansFromJson);
        break;
      case 'schemaUrl':
      case 'schema_url':
        schemaUrl = readString(x, 'schemaUrl');
        break;
    }
  }
  return { resource, scopeSpans, schemaUrl };
}

function resourceFromJson(v: unknown): Resource {
  const o = readObject(v, '');
  let attributes: Attributes = NONE;
  let droppedAttributesCount = 0;
  for (const key in o) {
    const x = o[key];
    if (key === 'attributes') attributes = attributesFromJson(x);
    else if (key === 'droppedAttributesCount' || key === 'dropped_attributes_count') {
      droppedAttributesCount = readUint32(x, 'droppedAttributesCount');
    }
  }
  if (attributes.length === 0 && droppedAttributesCount === 0) return EMPTY_RESOURCE;
  return { attributes, droppedAttributesCount };
}

function scopeSpansFromJson(v: unknown): ScopeSpans {
  const o = readObject(v, '');
  let scope = EMPTY_SCOPE;
  let spans: readonly Span[] = NONE;
  let schemaUrl = '';
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'scope':
        if (x !== null) scope = within('scope', x, scopeFromJson);
        break;
      case 'spans':
        spans = mapWithin(readArray(x, 'spans'), 'spans', spanFromJson);
        break;
      case 'schemaUrl':
      case 'schema_url':
        schemaUrl = readString(x, 'schemaUrl');
        break;
    }
  }
  return { scope, spans, schemaUrl };
}

function scopeFromJson(v: unknown): InstrumentationScope {
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
        attributes = attributesFromJson(x);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        droppedAttributesCount = readUint32(x, 'droppedAttributesCount');
        break;
    }
  }
  return { name, version, attributes, droppedAttributesCount };
}
