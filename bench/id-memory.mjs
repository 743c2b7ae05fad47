// `node --expose-gc bench/id-memory.mjs` (after `npm run build`): what the opik exporter's id
// memory holds per OTel trace at its default bound (`trace_id_memory.max_entries`, 100,000), in
// bytes of V8 heap and array buffers: in process memory, and with `file_storage` (whose SQLite
// store keeps its live entries in memory too; the file itself is not counted). Each trace is one
// `trace_timestamp` entry, written in batches of 100 as the exporter writes them. Prints one JSON
// line.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultOpikConfig, opikConfigSchema } from '../dist/exporters/opik/config.js';
import { openDatabase } from '../dist/extensions/file-storage/database.js';
import { sqliteIdStore } from '../dist/extensions/file-storage/sqlite-id-store.js';
import { memoryIdStore } from '../dist/storage/memory-id-store.js';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const { ttl, max_entries: maxEntries } = opikConfigSchema.parse(
  createDefaultOpikConfig(),
).trace_id_memory;
const options = { ttlMs: ttl, maxEntries, namespace: 'default|bench' };
const dir = mkdtempSync(join(tmpdir(), 'id-memory-'));
const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** Heap and array buffers in use after full collections. */
function used() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes per entry of a store filled to the bound (the keys it is given are counted). */
async function perEntry(make) {
  const before = used();
  const store = make();
  let start = Date.now();
  for (let b = 0; b < maxEntries / 100; b++) {
    const batch = new Map();
    // Each trace its own first start (a millisecond apart), as traces mostly have.
    for (let i = 0; i < 100; i++) batch.set(randomBytes(16).toString('hex'), String(start++));
    await store.putIfAbsent('trace_timestamp', batch);
  }
  const bytes = (used() - before) / maxEntries;
  // The store must still be alive when measured.
  if ((await store.get('trace_timestamp', ['absent'])).size !== 0) throw new Error('unexpected');
  return Math.round(bytes);
}

const memory = await perEntry(() => memoryIdStore(options));
const db = openDatabase(join(dir, 'ids.db'), { fsync: false, busyTimeoutMs: 5000, logger: silent });
const fileStorage = await perEntry(() => sqliteIdStore(db, options));
db.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ maxEntries, bytesPerEntry: { memory, fileStorage } }));
