import type {
  Attributes,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
  Status,
  Traces,
} from '../../pdata/traces.js';
import type { Verbosity } from './config.js';
import { formatDuration, formatTime, formatValue } from './format-value.js';

const KIND_NAMES = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_NAMES = ['Unset', 'Ok', 'Error'];

/** The text the debug exporter writes for one batch, ending in a newline. */
export function formatTraces(traces: Traces, verbosity: Verbosity, exporterId: string): string {
  const lines = [summary(traces, exporterId)];
  if (verbosity === 'normal') {
    for (const rs of traces.resourceSpans) {
      for (const ss of rs.scopeSpans) for (const span of ss.spans) lines.push(spanLine(span));
    }
  } else if (verbosity === 'detailed') {
    traces.resourceSpans.forEach((rs, i) => {
      lines.push(`ResourceSpans #${i}${schema(rs.schemaUrl)}`);
      lines.push(...attributeBlock('  resource attributes', rs.resource.attributes, '    '));
      if (rs.resource.droppedAttributesCount > 0) {
        lines.push(`  resource dropped attributes: ${rs.resource.droppedAttributesCount}`);
      }
      rs.scopeSpans.forEach((ss, j) => {
        lines.push(...scopeBlock(ss, j));
      });
    });
  }
  return `${lines.join('\n')}\n`;
}

function summary(traces: Traces, exporterId: string): string {
  let scopes = 0;
  let spans = 0;
  for (const rs of traces.resourceSpans) {
    scopes += rs.scopeSpans.length;
    for (const ss of rs.scopeSpans) spans += ss.spans.length;
  }
  const resources = traces.resourceSpans.length;
  return `exporter/${exporterId} traces: ${resources} resource spans, ${scopes} scope spans, ${spans} spans`;
}

/** One line per span: `name trace=… span=… parent=… kind=… duration=… status=…`. */
function spanLine(span: Span): string {
  return [
    JSON.stringify(span.name),
    `trace=${span.traceId || '-'}`,
    `span=${span.spanId || '-'}`,
    `parent=${span.parentSpanId || '-'}`,
    `kind=${kindName(span.kind)}`,
    `duration=${formatDuration(span.startTimeUnixNano, span.endTimeUnixNano)}`,
    `status=${statusText(span.status)}`,
  ].join(' ');
}

function scopeBlock(ss: ScopeSpans, index: number): string[] {
  const { name, version } = ss.scope;
  const scopeName = name ? `${name}${version ? `@${version}` : ''}` : '(no scope name)';
  const lines = [`  ScopeSpans #${index} ${scopeName}${schema(ss.schemaUrl)}`];
  lines.push(...attributeBlock('    scope attributes', ss.scope.attributes, '      '));
  ss.spans.forEach((span, k) => {
    lines.push(...spanBlock(span, k));
  });
  return lines;
}

function spanBlock(span: Span, index: number): string[] {
  const field = (label: string, value: string) => `      ${`${label}:`.padEnd(13)}${value}`;
  const lines = [
    `    Span #${index} ${JSON.stringify(span.name)}`,
    field('trace id', span.traceId || '(empty)'),
    field('span id', span.spanId || '(empty)'),
    field('parent id', span.parentSpanId || '(root)'),
    field('kind', kindName(span.kind)),
    field('start', formatTime(span.startTimeUnixNano)),
    field('end', formatTime(span.endTimeUnixNano)),
    field('duration', formatDuration(span.startTimeUnixNano, span.endTimeUnixNano)),
    field('status', statusText(span.status)),
  ];
  if (span.traceState) lines.push(field('trace state', span.traceState));
  if (span.flags) lines.push(field('flags', `0x${span.flags.toString(16).padStart(8, '0')}`));
  lines.push(...attributeBlock('      attributes', span.attributes, '        '));
  span.events.forEach((e, i) => {
    lines.push(...eventBlock(e, i));
  });
  span.links.forEach((l, i) => {
    lines.push(...linkBlock(l, i));
  });
  const dropped = [
    ['attributes', span.droppedAttributesCount],
    ['events', span.droppedEventsCount],
    ['links', span.droppedLinksCount],
  ].filter(([, n]) => n !== 0);
  if (dropped.length > 0)
    lines.push(field('dropped', dropped.map(([k, n]) => `${k} ${n}`).join(', ')));
  return lines;
}

function eventBlock(event: SpanEvent, index: number): string[] {
  const dropped = event.droppedAttributesCount
    ? ` (dropped attributes: ${event.droppedAttributesCount})`
    : '';
  return [
    `      event #${index} ${JSON.stringify(event.name)} at ${formatTime(event.timeUnixNano)}${dropped}`,
    ...attributeLines(event.attributes, '        '),
  ];
}

function linkBlock(link: SpanLink, index: number): string[] {
  const state = link.traceState ? ` trace state ${JSON.stringify(link.traceState)}` : '';
  const flags = link.flags ? ` flags 0x${link.flags.toString(16).padStart(8, '0')}` : '';
  const dropped = link.droppedAttributesCount
    ? ` (dropped attributes: ${link.droppedAttributesCount})`
    : '';
  return [
    `      link #${index} trace=${link.traceId} span=${link.spanId}${state}${flags}${dropped}`,
    ...attributeLines(link.attributes, '        '),
  ];
}

function attributeBlock(title: string, attrs: Attributes, indent: string): string[] {
  return attrs.length === 0 ? [] : [`${title}:`, ...attributeLines(attrs, indent)];
}

function attributeLines(attrs: Attributes, indent: string): string[] {
  return attrs.map((kv) => `${indent}-> ${kv.key}: ${formatValue(kv.value)}`);
}

function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `Kind(${kind})`;
}

function statusText(status: Status): string {
  const name = STATUS_NAMES[status.code] ?? `Code(${status.code})`;
  return status.message ? `${name}(${JSON.stringify(status.message)})` : name;
}

function schema(url: string): string {
  return url ? ` schema ${url}` : '';
}
