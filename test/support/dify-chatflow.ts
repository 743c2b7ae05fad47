import { fixture } from '../../src/receivers/dify/test-fixtures.js';

/**
 * The `workflow_chatflow` run (src/receivers/dify/testdata/fixtures) as the separate items Dify
 * produces for it: the run's envelope, its node rows as a node-executions document without the
 * run's start (a forwarder that posts rows as they are written), and the moderation and the
 * suggested questions of its message.
 *
 * The last two are `moderation_flagged.json` and `suggested_question.json` with `message_data`
 * (Dify's `Message` row, reference/dify.md §2) pointing at the chatflow's message: its id,
 * conversation, `workflow_run_id` (set on an advanced-chat app's message), query and
 * `created_at`; and, as Dify fills them for that message, `message_id`, `metadata.message_id`,
 * `metadata.workflow_run_id` and `workflow_run_id`, the app id, and `inputs` `""` for the
 * suggestion (a chatflow message has no saved prompt). Times follow the run: moderation before
 * it, the suggestions after it.
 */
export function chatflowItems(): {
  run: Record<string, unknown>;
  rows: Record<string, unknown>;
  moderation: Record<string, unknown>;
  suggestion: Record<string, unknown>;
} {
  const run = fixture('workflow_chatflow.json');
  const info = run.trace_info as Record<string, string>;
  const message = {
    id: info.message_id,
    conversation_id: info.conversation_id,
    workflow_run_id: info.workflow_run_id,
    query: (info.workflow_run_inputs as unknown as Record<string, string>)['sys.query'],
    created_at: info.start_time,
    updated_at: info.end_time,
  };
  const scoped = (name: string, start: string, end: string, extra: Record<string, unknown>) => {
    const envelope = fixture(name);
    const ti = envelope.trace_info as Record<string, unknown>;
    return {
      ...envelope,
      app_id: run.app_id,
      trace_info: {
        ...ti,
        ...extra,
        message_id: info.message_id,
        start_time: start,
        end_time: end,
        metadata: {
          ...(ti.metadata as object),
          message_id: info.message_id,
          ...('workflow_run_id' in extra ? { workflow_run_id: info.workflow_run_id } : {}),
        },
        message_data: {
          ...(ti.message_data as object),
          ...message,
          app_id: run.app_id,
        },
      },
    };
  };
  return {
    run,
    rows: {
      workflow_run_id: info.workflow_run_id,
      rows: fixture('workflow_chatflow.node_executions.json').rows,
    },
    moderation: scoped(
      'moderation_flagged.json',
      '2026-06-12T08:30:01.130211',
      '2026-06-12T08:30:01.131544',
      {},
    ),
    suggestion: scoped(
      'suggested_question.json',
      '2026-06-12T08:30:08.402118',
      '2026-06-12T08:30:09.510937',
      { workflow_run_id: info.workflow_run_id, inputs: '' },
    ),
  };
}
