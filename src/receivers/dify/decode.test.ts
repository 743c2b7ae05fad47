import { describe, expect, it } from 'vitest';
import { decodeItems, type Framing } from './decode.js';
import { convertItem } from './mapping/convert.js';
import { envelopeFixtures, fixture, withNodes } from './test-fixtures.js';

/** The envelope without what the decoder leaves out of `workflow_data`. */
function withoutUnread(envelope: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(envelope) as { trace_info?: { workflow_data?: object } };
  const data = copy.trace_info?.workflow_data as Record<string, unknown> | undefined;
  if (data) for (const key of ['graph', 'inputs', 'outputs']) delete data[key];
  return copy;
}

const bodies: [Framing, (envelopes: unknown[]) => string][] = [
  ['json', (envelopes) => JSON.stringify(envelopes)],
  ['json', (envelopes) => JSON.stringify(envelopes[0], null, 2)],
  ['ndjson', (envelopes) => envelopes.map((e) => JSON.stringify(e)).join('\n')],
];

describe('decodeItems', () => {
  it.each(bodies)(
    'leaves the run graph and the repeated inputs and outputs out of workflow_data (%s)',
    (framing, body) => {
      const run = withNodes('workflow_app.json');
      const [item] = decodeItems(Buffer.from(body([run, run])), framing);
      const data = (item as { value: { trace_info: { workflow_data: object } } }).value.trace_info
        .workflow_data;
      expect(Object.keys((run.trace_info as { workflow_data: object }).workflow_data)).toEqual(
        expect.arrayContaining(['graph', 'inputs', 'outputs']),
      );
      expect(data).not.toHaveProperty('graph');
      expect(data).toMatchObject({ type: 'workflow', total_steps: 5, created_by_role: 'end_user' });
      expect(item).toEqual({ value: withoutUnread(run) });
    },
  );

  it.each(envelopeFixtures())('converts %s to the spans of the whole envelope', (name) => {
    const envelope = fixture(name);
    const [item] = decodeItems(Buffer.from(JSON.stringify([envelope])), 'json');
    expect(item).toEqual({ value: withoutUnread(envelope) });
    expect(convertItem((item as { value: unknown }).value)).toEqual(convertItem(envelope));
  });
});
