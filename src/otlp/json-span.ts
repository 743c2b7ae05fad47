/**
 * An OTLP/JSON span (with its events, links and status) → pdata. Both spellings of each field
 * are accepted; see `json-to-pdata.ts`.
 */
import {
  type Attributes,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type Status,
  type StatusCode,
  UNSET_STATUS,
} from '../pdata/traces.js';
import { mapWithin, NONE, within } from './field-error.js';
import { attributesFromJson } from './json-any-value.js';
import {
  readArray,
  readEnum,
  readId,
  readObject,
  readString,
  readUint32,
  readUint64,
  SPAN_KIND,
  STATUS_CODE,
} from './json-scalars.js';

/** One element of `spans`; errors are located relative to the span. */
export function spanFromJson(v: unknown, maxDepth?: number): Span {
  const o = readObject(v, '');
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let startTimeUnixNano = 0n;
  let endTimeUnixNano = 0n;
  let attributes: Attributes = NONE;
  let droppedAttributesCount = 0;
  let events: readonly SpanEvent[] = NONE;
  let droppedEventsCount = 0;
  let links: readonly SpanLink[] = NONE;
  let droppedLinksCount = 0;
  let status = UNSET_STATUS;
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'traceId':
      case 'trace_id':
        traceId = readId(x, 16, 'traceId');
        break;
      case 'spanId':
      case 'span_id':
        spanId = readId(x, 8, 'spanId');
        break;
      case 'parentSpanId':
      case 'parent_span_id':
        parentSpanId = readId(x, 8, 'parentSpanId');
        break;
      case 'traceState':
      case 'trace_state':
        traceState = readString(x, 'traceState');
        break;
      case 'flags':
        flags = readUint32(x, 'flags');
        break;
      case 'name':
        name = readString(x, 'name');
        break;
      case 'kind':
        kind = readEnum(x, SPAN_KIND, 'kind');
        break;
      case 'startTimeUnixNano':
      case 'start_time_unix_nano':
        startTimeUnixNano = readUint64(x, 'startTimeUnixNano');
        break;
      case 'endTimeUnixNano':
      case 'end_time_unix_nano':
        endTimeUnixNano = readUint64(x, 'endTimeUnixNano');
        break;
      case 'attributes':
        attributes = attributesFromJson(x, maxDepth);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        droppedAttributesCount = readUint32(x, 'droppedAttributesCount');
        break;
      case 'events':
        events = mapWithin(readArray(x, 'events'), 'events', (e) => eventFromJson(e, maxDepth));
        break;
      case 'droppedEventsCount':
      case 'dropped_events_count':
        droppedEventsCount = readUint32(x, 'droppedEventsCount');
        break;
      case 'links':
        links = mapWithin(readArray(x, 'links'), 'links', (l) => linkFromJson(l, maxDepth));
        break;
      case 'droppedLinksCount':
      case 'dropped_links_count':
        droppedLinksCount = readUint32(x, 'droppedLinksCount');
        break;
      case 'status':
        if (x !== null) status = within('status', x, statusFromJson);
        break;
    }
  }
  return {
    traceId,
    spanId,
    parentSpanId,
    traceState,
    flags,
    name,
    kind: kind as SpanKind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    droppedAttributesCount,
    events,
    droppedEventsCount,
    links,
    droppedLinksCount,
    status,
  };
}

function eventFromJson(v: unknown, maxDepth?: number): SpanEvent {
  const o = readObject(v, '');
  let timeUnixNano = 0n;
  let name = '';
  let attributes: Attributes = NONE;
  let droppedAttributesCount = 0;
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'timeUnixNano':
      case 'time_unix_nano':
        timeUnixNano = readUint64(x, 'timeUnixNano');
        break;
      case 'name':
        name = readString(x, 'name');
        break;
      case 'attributes':
        attributes = attributesFromJson(x, maxDepth);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        droppedAttributesCount = readUint32(x, 'droppedAttributesCount');
        break;
    }
  }
  return { timeUnixNano, name, attributes, droppedAttributesCount };
}

function linkFromJson(v: unknown, maxDepth?: number): SpanLink {
  const o = readObject(v, '');
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let attributes: Attributes = NONE;
  let droppedAttributesCount = 0;
  let flags = 0;
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'traceId':
      case 'trace_id':
        traceId = readId(x, 16, 'traceId');
        break;
      case 'spanId':
      case 'span_id':
        spanId = readId(x, 8, 'spanId');
        break;
      case 'traceState':
      case 'trace_state':
        traceState = readString(x, 'traceState');
        break;
      case 'attributes':
        attributes = attributesFromJson(x, maxDepth);
        break;
      case 'droppedAttributesCount':
      case 'dropped_attributes_count':
        droppedAttributesCount = readUint32(x, 'droppedAttributesCount');
        break;
      case 'flags':
        flags = readUint32(x, 'flags');
        break;
    }
  }
  return { traceId, spanId, traceState, attributes, droppedAttributesCount, flags };
}

function statusFromJson(v: unknown): Status {
  const o = readObject(v, '');
  let code = 0;
  let message = '';
  for (const key in o) {
    if (key === 'code') code = readEnum(o[key], STATUS_CODE, 'code');
    else if (key === 'message') message = readString(o[key], 'message');
  }
  if (code === 0 && message === '') return UNSET_STATUS;
  return { code: code as StatusCode, message };
}
