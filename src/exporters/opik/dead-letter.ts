import { appendFile, mkdir, stat, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { RetryableError } from '../../errors/errors.js';
import { toJsonAnyDepth } from './json-text.js';
import type { OpikSpan, OpikTrace } from './opik-types.js';
import type { Json } from './values.js';

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
 * Items are reported (counted, logged) only once they are on disk: a write that fails (disk
 * full, permissions) is undone and rejects with `ERR_DEAD_LETTER_UNWRITABLE`, so whoever holds
 * the items (the sending queue, a retried delivery) keeps them and tries again. Without a file
 * the items are only counted, and that is said once in the log.
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
    if (entries.length === 0) return Promise.resolve();
    const file = this.file;
    if (!file) {
      this.reportAll(entries, null);
      if (!this.warned) {
        this.warned = true;
        this.options.logger.warn(
          { items: entries.length, reason: entries[0]!.reason },
          'Opik refused items for good and no dead_letter file is configured; they are dropped (counted in otelcol_exporter_opik_dead_lettered_items_total)',
        );
      }
      return Promise.resolve();
    }
    const time = new Date().toISOString();
    const text = `${entries
      .map((e) =>
        toJsonAnyDepth({
          time,
          exporter: this.options.exporterId,
          kind: e.kind,
          reason: e.reason,
          item: e.item as unknown as Json,
        }),
      )
      .join('\n')}\n`;
    const written = this.chain.then(() => appendWhole(file, text));
    this.chain = written.catch(() => {});
    return written.then(
      () => this.reportAll(entries, file),
      (err: unknown) => {
        throw new RetryableError(
          'ERR_DEAD_LETTER_UNWRITABLE',
          `cannot write the dead-letter file ${file}: ${(err as Error).message}`,
          {},
          { cause: err },
        );
      },
    );
  }

  /** Resolves once every write so far has finished. */
  flush(): Promise<void> {
    return this.chain;
  }

  private reportAll(entries: readonly DeadLetterEntry[], file: string | null): void {
    const byReason = new Map<string, number>();
    for (const e of entries) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
    for (const [reason, n] of byReason) this.options.report?.(n, reason, file);
  }
}

/** Appends `text`, or nothing: a write cut short (disk full) is cut off again. */
async function appendWhole(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const before = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  try {
    await appendFile(file, text, 'utf8');
  } catch (err) {
    await truncate(file, before).catch(() => {});
    throw err;
  }
}
