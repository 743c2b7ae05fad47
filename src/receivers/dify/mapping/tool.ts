import { type Span, SpanKind } from '../../../pdata/traces.js';
import { type EnvelopeContext, errorText, metadataOf, withExtras } from './envelope.js';
import { messageScope, scopedSpan } from './scope.js';
import { secondsToNs } from './time.js';

/** ToolTraceInfo: one span named after the agent's tool, its inputs in, its outputs out. */
export function toolSpans(ctx: EnvelopeContext): Span[] {
  const { info } = ctx;
  const toolName = info.str('tool_name');
  const timeCost = info.optNum('time_cost');
  const start = info.time('start_time');
  const end = info.optTime('end_time')?.ns ?? start.ns + secondsToNs(timeCost ?? 0);
  const error = errorText(info);
  // Dify's metadata repeats the tool's inputs and outputs; they are the span's input and output.
  const { tool_inputs: _in, tool_outputs: _out, ...meta } = metadataOf(info);
  return [
    scopedSpan(messageScope(ctx), {
      name: toolName,
      seedKind: `tool:${toolName}`,
      kind: SpanKind.INTERNAL,
      start,
      end,
      genAi: { operation: 'execute_tool', toolName },
      input: info.raw('tool_inputs'),
      output: info.raw('tool_outputs'),
      tags: ['tool', toolName],
      metadata: withExtras(meta, {
        tool_config: info.raw('tool_config'),
        tool_parameters: info.raw('tool_parameters'),
        time_cost: timeCost,
        file_url: info.raw('file_url'),
        message_file_data: info.raw('message_file_data'),
      }),
      error: error ? { type: 'ToolError', message: error } : undefined,
    }),
  ];
}
