import { createHash, randomUUID } from 'node:crypto';
import { pythonJsonDumps, pythonRepr } from './python-json.js';

export interface TaskCall {
  /** The envelope's address, as `process_trace_tasks.delay({"file_id", "app_id"})` passes it. */
  readonly fileId: string;
  readonly appId: string;
  /** The Celery task name; Dify's is `tasks.ops_trace_task.process_trace_tasks`. */
  readonly task?: string;
  /** `anon_nodename()` of the publishing process: `gen<pid>@<hostname>`. */
  readonly origin?: string;
}

export const PROCESS_TRACE_TASKS = 'tasks.ops_trace_task.process_trace_tasks';

/**
 * The string kombu's Redis transport LPUSHes onto the `ops_trace` list when Dify's API calls
 * `process_trace_tasks.delay(file_info)`: Celery 5.5/5.6 task protocol 2 (`celery/app/amqp.py`,
 * `as_task_v2` and `send_task_message`) published by kombu 5.5/5.6 (`kombu/messaging.py`
 * `Producer.publish`, `kombu/transport/virtual/base.py` `prepare_message` and
 * `_inplace_augment_message`, `kombu/transport/redis.py` `_put`). Key order, values and the
 * `json.dumps` spacing are theirs; see README.md.
 */
export function celeryTaskMessage(call: TaskCall): string {
  const taskId = randomUUID();
  const fileInfo = { file_id: call.fileId, app_id: call.appId };
  // Protocol 2 body: (args, kwargs, embed), serialised by kombu's json (json.dumps defaults).
  const body = pythonJsonDumps([
    [fileInfo],
    {},
    { callbacks: null, errbacks: null, chain: null, chord: null },
  ]);
  const message = {
    body: Buffer.from(body, 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: {
      lang: 'py',
      task: call.task ?? PROCESS_TRACE_TASKS,
      id: taskId,
      shadow: null,
      eta: null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: taskId,
      parent_id: null,
      argsrepr: pythonRepr([fileInfo], true),
      kwargsrepr: '{}',
      origin: call.origin ?? 'gen7@5f0c8a1b2d3e',
      // Dify's Celery app sets task_ignore_result=True (api/extensions/ext_celery.py).
      ignore_result: true,
      replaced_task_nesting: 0,
      stamped_headers: null,
      stamps: {},
    },
    properties: {
      correlation_id: taskId,
      // `app.thread_oid`: uuid3(NAMESPACE_OID, "<node id>-<pid>-<thread id>-<id(app)>").
      reply_to: uuid3(OID_NAMESPACE, `${process.pid}-${taskId}`),
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: 'ops_trace' },
      priority: 0,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  };
  return pythonJsonDumps(message);
}

/** Python's `uuid.NAMESPACE_OID`. */
const OID_NAMESPACE = '6ba7b812-9dad-11d1-80b4-00c04fd430c8';

/** Python's `uuid.uuid3(namespace, name)`: MD5 of the namespace bytes and the name, version 3. */
function uuid3(namespace: string, name: string): string {
  const bytes = createHash('md5')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x30;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
