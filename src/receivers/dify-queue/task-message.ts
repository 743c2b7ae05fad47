/**
 * One message of Dify's `ops_trace` queue: a Celery task message (protocol 2) as kombu's Redis
 * transport stores it, `{"body", "content-encoding", "content-type", "headers", "properties"}`,
 * with the body `[args, kwargs, embed]` encoded as `properties.body_encoding` says (base64).
 * Dify's `process_trace_tasks.delay({"file_id", "app_id"})` puts the envelope's address in
 * `args[0]` (README, "What Dify writes").
 */

export const OPS_TRACE_TASK = 'tasks.ops_trace_task.process_trace_tasks';

/** Where a task's envelope lives: `ops_trace/<app_id>/<file_id>.json` in Dify's storage. */
export interface TraceTask {
  readonly taskId: string;
  readonly appId: string;
  readonly fileId: string;
}

/** Why a message is not a trace task this receiver can act on (the set-aside reason). */
export type MessageProblem = 'not_a_task_message' | 'other_task';

export type ParsedMessage =
  | { readonly ok: true; readonly task: TraceTask }
  | { readonly ok: false; readonly reason: MessageProblem; readonly detail: string };

/** Ids become path segments: letters, digits, `-` and `_` only (a uuid4 hex, a uuid, `tenant-<uuid>`). */
const PATH_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

export function parseTaskMessage(raw: string): ParsedMessage {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return bad('not_a_task_message', 'the message is not JSON');
  }
  if (!isRecord(msg)) return bad('not_a_task_message', 'the message is not a JSON object');
  const headers = msg.headers;
  const task = isRecord(headers) ? headers.task : undefined;
  if (typeof task !== 'string') {
    return bad('not_a_task_message', 'no headers.task: not a Celery protocol 2 task message');
  }
  if (task !== OPS_TRACE_TASK) return bad('other_task', `a message of task ${task}`);
  const contentType = msg['content-type'];
  if (contentType !== 'application/json') {
    return bad(
      'not_a_task_message',
      `content-type ${JSON.stringify(contentType)}; only Celery's json serializer is read`,
    );
  }
  const call = decodeBody(msg);
  if (typeof call === 'string') return bad('not_a_task_message', call);
  const fileInfo = call.args[0] ?? call.kwargs.file_info;
  if (!isRecord(fileInfo)) {
    return bad('not_a_task_message', 'the task has no file_info argument {file_id, app_id}');
  }
  const { file_id: fileId, app_id: appId } = fileInfo;
  if (typeof fileId !== 'string' || !PATH_SEGMENT.test(fileId)) {
    return bad('not_a_task_message', `file_id ${JSON.stringify(fileId)} is not an id`);
  }
  if (typeof appId !== 'string' || !PATH_SEGMENT.test(appId)) {
    return bad('not_a_task_message', `app_id ${JSON.stringify(appId)} is not an id`);
  }
  const taskId = isRecord(headers) && typeof headers.id === 'string' ? headers.id : '';
  return { ok: true, task: { taskId, appId, fileId } };
}

/** The call's arguments, or what is wrong with the body. */
function decodeBody(
  msg: Record<string, unknown>,
): { args: unknown[]; kwargs: Record<string, unknown> } | string {
  const body = msg.body;
  if (typeof body !== 'string') return 'the body is not a string';
  const properties = isRecord(msg.properties) ? msg.properties : {};
  const encoding = properties.body_encoding;
  let text: string;
  if (encoding === 'base64') text = Buffer.from(body, 'base64').toString('utf8');
  else if (encoding === undefined || encoding === null || encoding === 'utf-8') text = body;
  else return `body_encoding ${JSON.stringify(encoding)} is not base64`;
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  if (!Array.isArray(decoded) || !Array.isArray(decoded[0])) {
    return 'the body is not [args, kwargs, embed]';
  }
  return { args: decoded[0] as unknown[], kwargs: isRecord(decoded[1]) ? decoded[1] : {} };
}

function bad(reason: MessageProblem, detail: string): ParsedMessage {
  return { ok: false, reason, detail };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
