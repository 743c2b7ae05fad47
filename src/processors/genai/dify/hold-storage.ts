import type { Host, Settings } from '../../../component/types.js';
import { errorMessage } from '../../../errors/errors.js';
import { holdStoreFrom } from '../../../storage/extension.js';
import type { HoldContents, HoldStore } from '../../../storage/hold-store.js';
import { StorageUnavailableError, storageFault } from '../../../storage/unavailable.js';
import { assemble, spansOf } from '../batches.js';
import { dialectOf, fragmentOf } from './dialect.js';
import type { Held } from './group.js';
import type { DifyHold, Released, StoredSpan } from './hold.js';
import type { HoldMetrics } from './metrics.js';

/**
 * The hold kept in a storage extension (`dify_hold::storage`): what the hold changed is written
 * before the request that brought it is answered, released spans are removed once what they
 * became was accepted downstream, and what was stored is loaded back at start. A store that
 * cannot write refuses the request (`StorageUnavailableError`: 503 / UNAVAILABLE), counted,
 * logged when it starts and ends, and reported as the processor's status.
 */
export class HoldStorage {
  private store: HoldStore | undefined;
  private fault: unknown;

  constructor(
    private readonly settings: Settings,
    private readonly storageId: string,
    private readonly hold: DifyHold,
    private readonly metrics: HoldMetrics,
  ) {}

  /**
   * Opens the store (once) and loads what it kept into the hold; returns what can go on now, or
   * undefined while the disk keeps the store from opening. A wrong `storage` throws.
   */
  open(host: Host): Released[] | undefined {
    if (this.store) return [];
    // A processor is made once per pipeline: each instance holds its own spans.
    const { kind, id, pipelineId } = this.settings;
    const owner = { kind, id: pipelineId ? `${id}/${pipelineId}` : id };
    let store: HoldStore;
    let contents: HoldContents;
    try {
      store = holdStoreFrom(host, this.storageId, owner);
      contents = store.load();
    } catch (err) {
      if (!(err instanceof StorageUnavailableError)) throw err;
      this.failed(host, err);
      return undefined;
    }
    const { spans, groups, anchors } = contents;
    const stored: StoredSpan[] = [];
    for (const record of spans) {
      for (const ctx of spansOf(record.traces)) {
        const dialect = dialectOf(ctx);
        // A span this version no longer reads goes on as it came (as a span no envelope holds).
        const fragment = (dialect && fragmentOf(ctx, dialect)) || { kind: 'extra' as const };
        stored.push({ key: record.key, ctx, fragment });
      }
    }
    this.store = store;
    if (spans.length > 0 || groups.length > 0) {
      this.settings.logger.info(
        { spans: spans.length, traces: groups.length, anchors: anchors.length },
        'resuming the Dify hold from its storage',
      );
    }
    return this.hold.restore(groups, stored, anchors);
  }

  /** Writes what the hold changed; rejects with `StorageUnavailableError` when it cannot. */
  async save(host: Host): Promise<void> {
    const delta = this.hold.takeChanges();
    if (!delta) return;
    try {
      if (!this.store) throw this.unavailable();
      await this.store.write({
        spans: delta.spans.map((h) => ({
          key: h.key!,
          traces: assemble([{ ctx: h.ctx, normalize: false }]),
        })),
        groups: delta.groups,
        groupsGone: delta.groupsGone,
        anchors: delta.anchors,
        anchorsGone: delta.anchorsGone,
      });
    } catch (err) {
      delta.rollback();
      const refused =
        err instanceof StorageUnavailableError
          ? err
          : new StorageUnavailableError('the Dify hold cannot store the spans', err);
      this.failed(host, refused);
      throw refused;
    }
    if (this.fault !== undefined) {
      this.fault = undefined;
      this.settings.logger.info('the Dify hold stores spans again');
      host.reportStatus({ state: 'ok' });
    }
  }

  /** Why nothing can wait while the store cannot be opened. */
  unavailable(): StorageUnavailableError {
    return new StorageUnavailableError('the Dify hold cannot open its storage', this.fault);
  }

  /** Forgets the records of released spans (what they became was accepted downstream). */
  remove(spans: readonly Held[]): void {
    this.removeKeys(spans.flatMap((h) => (h.key ? [h.key] : [])));
  }

  removeKeys(keys: readonly string[]): void {
    if (keys.length > 0) this.store?.remove(keys);
  }

  private failed(host: Host, err: unknown): void {
    this.metrics.storeFailed.inc();
    if (this.fault === undefined) {
      this.settings.logger.error(
        { storage: this.storageId, error: errorMessage(err) },
        'the Dify hold cannot write to its storage (is the disk full?); requests with Dify spans are refused (503) until it can',
      );
      host.reportStatus({ state: 'recoverable_error', reason: storageFault(err) });
    }
    this.fault = err;
  }
}
