import type { Component, Host, Kind } from '../component/types.js';
import type { HoldStore } from './hold-store.js';
import type { IdStore, IdStoreOptions } from './id-store.js';
import type { QueueStore } from './queue-store.js';

/** The component a store belongs to: each gets its own (`exporter_opik.db` for the exporter `opik`). */
export interface StorageOwner {
  readonly kind: Kind;
  readonly id: string;
}

/**
 * What a storage extension offers the components that name it (the Collector's
 * `extension/xextension/storage`, with purpose-made stores instead of a raw key-value client):
 * never a database handle, only these stores. An extension offers the kinds it can hold.
 */
export interface StorageExtension extends Component {
  /** The persistent sending queue of one component. */
  queueStore?(owner: StorageOwner): QueueStore;
  /** The id store of one component (`src/storage/id-store.ts`). */
  idStore?(owner: StorageOwner, options: IdStoreOptions): IdStore;
  /** The hold of one processor (`src/storage/hold-store.ts`). */
  holdStore?(owner: StorageOwner): HoldStore;
}

/** The queue store the extension `storageId` offers `owner`, or a clear error. */
export function queueStoreFrom(host: Host, storageId: string, owner: StorageOwner): QueueStore {
  const ext = host.getExtension(storageId) as StorageExtension | undefined;
  if (typeof ext?.queueStore !== 'function') throw notOffered(storageId, ext, 'a queue store');
  return ext.queueStore(owner);
}

/** The id store the extension `storageId` offers `owner`, or a clear error. */
export function idStoreFrom(
  host: Host,
  storageId: string,
  owner: StorageOwner,
  options: IdStoreOptions,
): IdStore {
  const ext = host.getExtension(storageId) as StorageExtension | undefined;
  if (typeof ext?.idStore !== 'function') throw notOffered(storageId, ext, 'an id store');
  return ext.idStore(owner, options);
}

/** The hold store the extension `storageId` offers `owner`, or a clear error. */
export function holdStoreFrom(host: Host, storageId: string, owner: StorageOwner): HoldStore {
  const ext = host.getExtension(storageId) as StorageExtension | undefined;
  if (typeof ext?.holdStore !== 'function') throw notOffered(storageId, ext, 'a hold store');
  return ext.holdStore(owner);
}

function notOffered(id: string, ext: Component | undefined, what: string): Error {
  return new Error(
    ext === undefined
      ? `storage "${id}" is not a started extension (list it under service::extensions)`
      : `extension "${id}" offers no ${what.replace(/^an? /, '')}; name a storage extension such as file_storage`,
  );
}
