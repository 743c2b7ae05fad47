import type { Settings } from '../../component/types.js';
import type { BeforeQueue } from '../../exporterhelper/chain.js';
import { idStoreFrom } from '../../storage/extension.js';
import type { IdStore, IdStoreOptions } from '../../storage/id-store.js';
import { memoryIdStore } from '../../storage/memory-id-store.js';
import { assignIds } from './assign-ids.js';
import type { OpikConfig } from './config.js';

/**
 * The exporter's first step, before its queue: every span gets its Opik ids (`assignIds`). The
 * id store is the one `trace_id_memory.storage` names (else the persistent queue's storage), from
 * the host at start, or one in memory.
 */
export function idStep(
  settings: Settings,
  config: OpikConfig,
  deps: { readonly idStore?: IdStore; readonly now?: () => number } = {},
): BeforeQueue & {
  /** The Opik ids the store knows for these OTel traces (once started). */
  knownTraces(otelTraceIds: string[]): Promise<ReadonlyMap<string, string>>;
} {
  let store = deps.idStore;
  return {
    knownTraces: (otelTraceIds) => store!.get('opik_trace', otelTraceIds),
    async start(host) {
      if (deps.idStore) return;
      const options: IdStoreOptions = {
        ttlMs: config.trace_id_memory.ttl,
        maxEntries: config.trace_id_memory.max_entries,
        namespace: idNamespace(config),
      };
      const storage = idStorageOf(config);
      store = storage
        ? idStoreFrom(host, storage, { kind: settings.kind, id: settings.id }, options)
        : memoryIdStore(options, deps.now);
    },
    run: (traces) => assignIds(traces, store!),
  };
}

/** The storage extension that holds the exporter's ids, if any. */
export function idStorageOf(config: OpikConfig): string | undefined {
  const queue = config.sending_queue;
  return config.trace_id_memory.storage ?? (queue.enabled ? queue.storage : undefined);
}

/** Opik keys its own memory by workspace and project (case-insensitive); so do we. */
function idNamespace(config: OpikConfig): string {
  return `${config.workspace}|${config.project_name.trim().toLowerCase()}`;
}
