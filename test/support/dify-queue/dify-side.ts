import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { celeryTaskMessage, type TaskCall } from './celery-message.js';
import { compactJson, pythonJsonDumps } from './python-json.js';
import { type TruncationLimits, truncateVariableMapping } from './variable-truncator.js';

/**
 * What Dify writes for one traced event, emulated byte for byte (README.md): the envelope file
 * in its storage, the Celery message on the `ops_trace` list, and a workflow run's rows in
 * `workflow_node_executions` (with a payload offloaded to storage when it is too large).
 */

/** Runs the SQL that creates Dify's tables the receiver reads (schema.sql). */
export async function createDifyTables(sql: (text: string) => Promise<unknown>): Promise<void> {
  await sql(readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'));
}

export interface SavedEnvelope {
  readonly appId: string;
  readonly fileId: string;
  /** The storage key, `ops_trace/<app_id>/<file_id>.json`. */
  readonly key: string;
  /** The file's bytes (compact JSON). */
  readonly text: string;
}

/**
 * `TraceQueueManager.send_to_celery`: `storage.save(f"ops_trace/{storage_id}/{file_id}.json",
 * task_data.model_dump_json().encode())` with `file_id = uuid4().hex`, under an OpenDAL fs root.
 * `prettyEnvelope` is a fixture (the same JSON, pretty-printed).
 */
export function saveEnvelope(root: string, prettyEnvelope: string): SavedEnvelope {
  const text = compactJson(prettyEnvelope);
  const appId = (JSON.parse(text) as { app_id: string }).app_id;
  const fileId = randomUUID().replace(/-/g, '');
  const key = `ops_trace/${appId}/${fileId}.json`;
  writeStorage(root, key, text);
  return { appId, fileId, key, text };
}

/** `process_trace_tasks.delay({"file_id", "app_id"})`: the message kombu LPUSHes. */
export function taskMessage(
  saved: { appId: string; fileId: string },
  extra: Partial<TaskCall> = {},
) {
  return celeryTaskMessage({ fileId: saved.fileId, appId: saved.appId, ...extra });
}

type Row = Record<string, unknown>;

const NODE_COLUMNS = [
  'id',
  'tenant_id',
  'app_id',
  'workflow_id',
  'triggered_from',
  'workflow_run_id',
  'index',
  'predecessor_node_id',
  'node_id',
  'node_type',
  'title',
  'inputs',
  'process_data',
  'outputs',
  'status',
  'error',
  'elapsed_time',
  'execution_metadata',
  'created_at',
  'created_by_role',
  'created_by',
  'finished_at',
  'node_execution_id',
] as const;

/** Inserts `workflow_node_executions` rows (JSON columns as the JSON text Dify stores). */
export async function insertNodeRows(client: pg.Client, rows: readonly Row[]): Promise<void> {
  const columns = NODE_COLUMNS.map((c) => (c === 'index' ? '"index"' : c)).join(', ');
  const params = NODE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  for (const row of rows) {
    await client.query(
      `INSERT INTO workflow_node_executions (${columns}) VALUES (${params})`,
      NODE_COLUMNS.map((c) => row[c] ?? null),
    );
  }
}

/**
 * `SQLAlchemyWorkflowNodeExecutionRepository.save_execution_data` for one column whose payload
 * exceeds the truncation limits: the row keeps `json.dumps(truncated)`; the whole payload,
 * `json.dumps(value, sort_keys=True)`, goes to storage through `FileService.upload_file` (key
 * `upload_files/<tenant_id>/<uuid4>.json`, an `upload_files` row) and is linked by a
 * `workflow_node_execution_offload` row. Returns the row as stored and the storage key.
 */
export async function offloadColumn(
  client: pg.Client,
  root: string,
  row: Row,
  column: 'inputs' | 'outputs' | 'process_data',
  limits: TruncationLimits,
): Promise<{ row: Row; key: string }> {
  const full = String(row[column]);
  const value = JSON.parse(full) as Record<string, unknown>;
  const whole = pythonJsonDumps(sortKeys(value));
  if (whole !== full) throw new Error(`${column} is not json.dumps(sort_keys=True) text`);
  const truncated = truncateVariableMapping(value, limits);
  if (!truncated.truncated)
    throw new Error(`${column} is within the limits: Dify would not offload it`);
  const tenantId = String(row.tenant_id);
  const fileId = randomUUID();
  const key = `upload_files/${tenantId}/${randomUUID()}.json`;
  writeStorage(root, key, whole);
  const now = naiveUtcNow();
  await client.query(
    `INSERT INTO upload_files (id, tenant_id, storage_type, key, name, size, extension, mime_type,
       created_by, created_at, used, hash, created_by_role, source_url)
     VALUES ($1, $2, 'opendal', $3, $4, $5, 'json', 'application/json', $6, $7, false, $8, $9, $10)`,
    [
      fileId,
      tenantId,
      key,
      `node_execution_${row.id}_${column}.json`,
      Buffer.byteLength(whole),
      row.created_by,
      now,
      createHash('sha3-256').update(whole).digest('hex'),
      row.created_by_role,
      signedFileUrl(fileId),
    ],
  );
  await client.query(
    `INSERT INTO workflow_node_execution_offload (id, created_at, tenant_id, app_id, node_execution_id, type, file_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [randomUUID(), now, tenantId, row.app_id, row.id, column, fileId],
  );
  return { row: { ...row, [column]: pythonJsonDumps(truncated.value) }, key };
}

/** `file_helpers.get_signed_file_url` with Dify's docker defaults (`FILES_URL`, `SECRET_KEY`). */
function signedFileUrl(uploadFileId: string): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const sign = createHmac('sha256', 'sk-9f73s3ljTXVcMT3Blb3ljTqtsKiGHXVcMT3BlbkFJLK7U')
    .update(`file-preview|${uploadFileId}|${timestamp}|${nonce}`)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  const query = new URLSearchParams({ timestamp, nonce, sign }).toString();
  return `http://localhost:5001/files/${uploadFileId}/file-preview?${query}`;
}

function naiveUtcNow(): string {
  return new Date().toISOString().replace('Z', '');
}

/** A copy with every object's keys sorted, as `json.dumps(sort_keys=True)` writes them. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, sortKeys(obj[k])]),
  );
}

function writeStorage(root: string, key: string, text: string): void {
  const path = join(root, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
