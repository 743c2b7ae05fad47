import { describe, expect, it } from 'vitest';
import { celeryTaskMessage } from '../../../test/support/dify-queue/celery-message.js';
import { parseTaskMessage } from './task-message.js';

/**
 * A message as Celery 5.2.6 / kombu 5.2.4 (Debian bookworm's python3-celery) wrote it to a real
 * redis-server for `process_trace_tasks.delay({...})` declared as in Dify's
 * `api/tasks/ops_trace_task.py`. Celery 5.3+ (Dify pins 5.5/5.6) adds three headers
 * (`replaced_task_nesting`, `stamped_headers`, `stamps`); nothing else differs.
 */
const CELERY_5_2_MESSAGE =
  '{"body": "W1t7ImZpbGVfaWQiOiAiYzg2YmIyZTBlOWE5NDYyMjhlMzRjOWU5YzUyNjZiZDUiLCAiYXBwX2lkIjogIjVjYTI4YzBjLTU0MWQtNDkyNi04ZmViLTI0ZWVkYzY1ZmQ4MyJ9XSwge30sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "tasks.ops_trace_task.process_trace_tasks", "id": "34ed4e2f-f9b6-4a62-aac8-823aef4ccfd4", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "34ed4e2f-f9b6-4a62-aac8-823aef4ccfd4", "parent_id": null, "argsrepr": "({\'file_id\': \'c86bb2e0e9a946228e34c9e9c5266bd5\', \'app_id\': \'5ca28c0c-541d-4926-8feb-24eedc65fd83\'},)", "kwargsrepr": "{}", "origin": "gen5051@vm", "ignore_result": true}, "properties": {"correlation_id": "34ed4e2f-f9b6-4a62-aac8-823aef4ccfd4", "reply_to": "fcfa32b4-250f-32a6-bf46-0d995e333b56", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "ops_trace"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "7a444bb4-e2f7-48ef-9b36-230cef730ca8"}}';

const FILE = {
  fileId: 'c86bb2e0e9a946228e34c9e9c5266bd5',
  appId: '5ca28c0c-541d-4926-8feb-24eedc65fd83',
};

/** A message with its decoded body replaced. */
function withBody(body: string, changes: Record<string, unknown> = {}): string {
  const msg = JSON.parse(celeryTaskMessage(FILE)) as Record<string, unknown>;
  return JSON.stringify({ ...msg, body: Buffer.from(body).toString('base64'), ...changes });
}

describe('parseTaskMessage', () => {
  it('reads the message real Celery wrote', () => {
    expect(parseTaskMessage(CELERY_5_2_MESSAGE)).toEqual({
      ok: true,
      task: { taskId: '34ed4e2f-f9b6-4a62-aac8-823aef4ccfd4', ...FILE },
    });
  });

  it('reads the emulated Celery 5.5/5.6 message, with the same body bytes as real Celery', () => {
    const emulated = JSON.parse(celeryTaskMessage(FILE)) as { body: string };
    expect(emulated.body).toBe((JSON.parse(CELERY_5_2_MESSAGE) as { body: string }).body);
    expect(parseTaskMessage(celeryTaskMessage(FILE))).toMatchObject({ ok: true, task: FILE });
  });

  it('takes file_info given as a keyword argument', () => {
    const raw = withBody(
      JSON.stringify([[], { file_info: { file_id: 'ab12', app_id: 'tenant-x' } }, {}]),
    );
    expect(parseTaskMessage(raw)).toMatchObject({
      ok: true,
      task: { fileId: 'ab12', appId: 'tenant-x' },
    });
  });

  it('names another task as such', () => {
    const raw = celeryTaskMessage({
      ...FILE,
      task: 'tasks.mail_task.send_email_code_login_mail_task',
    });
    expect(parseTaskMessage(raw)).toEqual({
      ok: false,
      reason: 'other_task',
      detail: 'a message of task tasks.mail_task.send_email_code_login_mail_task',
    });
  });

  it.each([
    ['not JSON', 'hello', 'the message is not JSON'],
    ['a protocol 1 message', '{"body": "e30=", "headers": {}}', 'no headers.task'],
    [
      'a pickled body',
      withBody('x', { 'content-type': 'application/x-python-serialize' }),
      'content-type',
    ],
    ['a body that is not JSON', withBody('[[{'), 'the body is not JSON'],
    ['no file_info', withBody('[[], {}, {}]'), 'no file_info'],
    [
      'an app_id that climbs out of the storage root',
      withBody(JSON.stringify([[{ file_id: 'ab', app_id: '../../etc' }], {}, {}])),
      'is not an id',
    ],
    [
      'a file_id with a path in it',
      withBody(JSON.stringify([[{ file_id: 'a/b', app_id: 'x' }], {}, {}])),
      'is not an id',
    ],
  ])('sets aside %s', (_what, raw, detail) => {
    const parsed = parseTaskMessage(raw);
    expect(parsed).toMatchObject({ ok: false, reason: 'not_a_task_message' });
    expect(parsed.ok ? '' : parsed.detail).toContain(detail);
  });
});
