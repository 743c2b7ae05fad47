import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import { type Json, toJson } from './values.js';

/** One item Opik will never take as it is, kept with the reason. */
export interface DeadLetterEntry {
  /** `*_update`: a PATCH body the `opik` receiver took in (not re-sent by `replay`). */
  readonly kind: 'span' | 'trace' | 'span_update' | 'trace_update';
  readonly reason: string;
  readonly item: OpikSpan | OpikTrace | { readonly [key: string]: Json };
}

export interface DeadLetterOptions {
  readonly path?: string;
  readonly directory?: string;
  readonly exporterId: string;
  readonly logger: Logger;
  /** Told of every write, once per distinct reason; `file` is null when there is none. */
  readonly report?: (items: number, reason: string, file: string | null) => void;
}

/**
 * Appends dead-lettered items to a JSON-lines file (`path`, or `<directory>/<exporter>.dead-letter.jsonl`):
 * one line per item, `{time, exporter, kind, reason, item}`, where `item` is the Opik object
 * (ready to re-send through the REST API once its problem is fixed). Writes are serialised.
 * Without a file the items are only counted, and that is said once in the log.
 */
export class DeadLetterFile {
  readonly file?: string;
  private chain: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(private readonly options: DeadLetterOptions) {
    if (options.path) this.file = options.path;
    else if (options.directory) {
      const safeId = options.exporterId.replace(/[^A-Za-z0-9_.-]/g, '_');
      this.file = join(options.directory, `${safeId}.dead-letter.jsonl`);
    }
  }

  write(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return this.chain;
    const byReason = new Map<string, number>();
    for (const e of entries) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
    for (const [reason, n] of byReason) this.options.report?.(n, reason, this.file ?? null);
    if (!this.file) {
      if (!this.warned) {
        this.warned = true;
        this.options.logger.warn(
          { items: entries.length, reason: entries[0]!.reason },
          'Opik refused items for good and no dead_letter file is configured; they are dropped (counted in otelcol_exporter_opik_dead_lettered_items_total)',
        );
      }
      return this.chain;
    }
    const time = new Date().toISOString();
    const lines = entries
      .map((e) =>
        toJson({
          time,
          exporter: this.options.exporterId,
          kind: e.kind,
          reason: e.reason,
          item: e.item as unknown as Json,
        }),
      )
      .join('\n');
    const file = this.file;
    this.chain = this.chain
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await appendFile(file, `${lines}\n`, 'utf8');
      })
      .catch((err: unknown) => {
        this.options.logger.error(
          { file, items: entries.length, error: (err as Error).message },
          'cannot write the dead-letter file; these items are lost',
        );
      });
    return this.chain;
  }

  /** Resolves once every write so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }
}
