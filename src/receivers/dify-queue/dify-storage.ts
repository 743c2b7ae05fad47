import { readFile, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { DifyQueueReceiverConfig } from './config.js';
import { Outage, reasonOf } from './outage.js';
import type { TraceTask } from './task-message.js';

/** Dify's `OPS_FILE_PATH` (`api/core/ops/entities/config_entity.py`): where envelopes are saved. */
const OPS_FILE_PATH = 'ops_trace';

/** A file that is not there or cannot be read, and which of the two. */
export interface FileProblem {
  readonly reason: 'file_missing' | 'file_unreadable';
  readonly detail: string;
}

/**
 * Dify's storage as the local filesystem (`STORAGE_TYPE=opendal` with `OPENDAL_SCHEME=fs`, or
 * `local`): every key is a path under one root directory. A relative root is taken from the
 * current directory, as OpenDAL takes `OPENDAL_FS_ROOT=storage` from Dify's (`/app/api`).
 */
export class DifyStorage {
  readonly root: string;

  constructor(config: DifyQueueReceiverConfig['storage']) {
    this.root = resolve(config.root);
  }

  /** `ops_trace/<app_id>/<file_id>.json`, the key `TraceQueueManager.send_to_celery` saves. */
  envelopeKey(task: TraceTask): string {
    return `${OPS_FILE_PATH}/${task.appId}/${task.fileId}.json`;
  }

  /** The envelope's text, or why there is none. */
  async readEnvelope(task: TraceTask): Promise<string | FileProblem> {
    return this.read(this.envelopeKey(task));
  }

  /** A file by its storage key (an offloaded payload's `upload_files.key`), or why there is none. */
  async read(key: string): Promise<string | FileProblem> {
    const path = this.pathOf(key);
    if (path === undefined) return { reason: 'file_unreadable', detail: `bad storage key ${key}` };
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      await this.assertRoot();
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? { reason: 'file_missing', detail: `${key} does not exist under ${this.root}` }
        : { reason: 'file_unreadable', detail: `${key}: ${reasonOf(err)}` };
    }
  }

  /** Deletes the envelope, as Dify's worker does once it traced it; a missing file is fine. */
  async removeEnvelope(task: TraceTask): Promise<void> {
    try {
      await unlink(this.pathOf(this.envelopeKey(task))!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /**
   * Throws an `Outage` when the root itself is not there: a volume not mounted is not a reason
   * to set every message aside.
   */
  async assertRoot(): Promise<void> {
    let isDir: boolean;
    try {
      isDir = (await stat(this.root)).isDirectory();
    } catch (err) {
      throw new Outage(
        'storage',
        `the storage root ${this.root} is not reachable: ${reasonOf(err)}`,
      );
    }
    if (!isDir) throw new Outage('storage', `the storage root ${this.root} is not a directory`);
  }

  /** The path of a relative key that stays under the root, else undefined. */
  private pathOf(key: string): string | undefined {
    if (key === '' || isAbsolute(key) || key.split('/').some((s) => s === '..')) return undefined;
    return join(this.root, key);
  }
}
