import pg from 'pg';
import { redactUrlCredentials } from '../../config/secret.js';
import type { DifyStorage } from './dify-storage.js';
import { Outage, reasonOf } from './outage.js';

/** A `workflow_node_executions` row as the `dify` mapping reads it (JSON columns as JSON text). */
export type NodeRow = Record<string, string | number | null>;

/** What one run's rows took: the rows, and how its offloaded payloads went. */
export interface RunRows {
  readonly rows: NodeRow[];
  readonly offloadsLoaded: number;
  /** Offloaded payloads whose file could not be read: the row keeps its truncated value. */
  readonly offloadsMissing: ReadonlyArray<{ readonly key: string; readonly detail: string }>;
}

/** The run a WorkflowTraceInfo envelope names. */
export interface RunKey {
  readonly workflowRunId: string;
  readonly tenantId: string;
  /** `metadata.app_id`; Dify's tracers filter by it when it is set. */
  readonly appId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Naive UTC timestamps as Python's `isoformat()` writes them, whatever the server's DateStyle. */
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.US'`;

/**
 * The columns of `workflow_node_executions` (`WorkflowNodeExecutionModel`, `api/models/workflow.py`)
 * that Dify 1.9 to 1.17 all have, filtered as `get_db_models_by_workflow_run` does: the run, its
 * tenant, `triggered_from = 'workflow-run'`, not paused, and the app when known. Ordered by
 * execution index (Dify's query has no order; the spans do not depend on it).
 */
const ROWS_SQL = `SELECT id, tenant_id, app_id, workflow_id, triggered_from, workflow_run_id, "index",
  predecessor_node_id, node_execution_id, node_id, node_type, title, inputs, process_data, outputs,
  status, error, elapsed_time, execution_metadata, to_char(created_at, ${ISO}) AS created_at,
  created_by_role, created_by, to_char(finished_at, ${ISO}) AS finished_at
FROM workflow_node_executions
WHERE workflow_run_id = $1 AND tenant_id = $2 AND triggered_from = 'workflow-run' AND status <> 'paused'`;

/**
 * Payloads Dify truncated in the row and saved whole to storage (`workflow_node_execution_offload`,
 * Dify 1.9+): the type (`inputs`, `outputs`, `process_data`) and the storage key of the file.
 */
const OFFLOADS_SQL = `SELECT o.node_execution_id, o.type, f.key
FROM workflow_node_execution_offload o JOIN upload_files f ON f.id = o.file_id
WHERE o.node_execution_id = ANY($1::uuid[])`;

const OFFLOADED_COLUMNS = new Set(['inputs', 'outputs', 'process_data']);

/**
 * Dify's workflow node executions, read from its PostgreSQL database as its tracers read them
 * (`SQLAlchemyWorkflowNodeExecutionRepository`), with offloaded payloads loaded from storage.
 * An unreachable database is an `Outage`: the message waits.
 */
export class NodeRows {
  private readonly pool: pg.Pool;
  private closed = false;

  constructor(
    readonly url: string,
    maxConnections: number,
    private readonly storage: DifyStorage,
    onIdleError: (err: Error) => void,
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: maxConnections,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'dify-opik-collector',
    });
    // A pooled connection the server closed (a restart) must not crash the process.
    this.pool.on('error', onIdleError);
  }

  get address(): string {
    return redactUrlCredentials(this.url);
  }

  /** The run's rows, each offloaded column replaced by its full payload. */
  async forRun(run: RunKey): Promise<RunRows> {
    if (!UUID.test(run.workflowRunId) || !UUID.test(run.tenantId)) {
      return { rows: [], offloadsLoaded: 0, offloadsMissing: [] };
    }
    const params = [run.workflowRunId, run.tenantId];
    let sql = ROWS_SQL;
    if (run.appId !== undefined && UUID.test(run.appId)) {
      sql += ' AND app_id = $3';
      params.push(run.appId);
    }
    const rows = (await this.query(`${sql} ORDER BY "index", created_at`, params)) as NodeRow[];
    if (rows.length === 0) return { rows, offloadsLoaded: 0, offloadsMissing: [] };
    const offloads = (await this.query(OFFLOADS_SQL, [rows.map((r) => r.id)])) as Array<{
      node_execution_id: string;
      type: string;
      key: string;
    }>;
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    let offloadsLoaded = 0;
    const offloadsMissing: Array<{ key: string; detail: string }> = [];
    for (const o of offloads) {
      const row = byId.get(o.node_execution_id);
      if (!row || !OFFLOADED_COLUMNS.has(o.type)) continue;
      const text = await this.storage.read(o.key);
      if (typeof text === 'string') {
        row[o.type] = text;
        offloadsLoaded++;
      } else offloadsMissing.push({ key: o.key, detail: text.detail });
    }
    return { rows, offloadsLoaded, offloadsMissing };
  }

  /** Tables this receiver reads, each with whether it exists (for doctor). */
  async missingTables(): Promise<string[]> {
    const tables = ['workflow_node_executions', 'workflow_node_execution_offload', 'upload_files'];
    const rows = (await this.query(
      'SELECT t, to_regclass(t) IS NOT NULL AS present FROM unnest($1::text[]) AS t',
      [tables],
    )) as Array<{ t: string; present: boolean }>;
    return rows.filter((r) => !r.present).map((r) => r.t);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      return (await this.pool.query(sql, params)).rows as Record<string, unknown>[];
    } catch (err) {
      throw new Outage(
        'database',
        `could not read node executions from ${this.address}: ${reasonOf(err)}`,
        { cause: err },
      );
    }
  }
}
