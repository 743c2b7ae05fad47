// `node bench/lru.mjs` (after `npm run build`): what forgetting the least recently used entry
// costs in the collector's bounded memories, in microseconds: a new key in the memory id store
// at its default bound of 100,000 entries (batches of 100 keys, as the exporter writes them), and
// an id added to the exporter's set of the last 10,000 trace rows written. Prints one JSON line.
import { RecentIds } from '../dist/exporters/opik/recent-ids.js';
import { memoryIdStore } from '../dist/storage/memory-id-store.js';

const BOUND = 100_000;
const store = memoryIdStore({ ttlMs: 3 * 3_600_000, maxEntries: BOUND, namespace: 'bench' });
for (let b = 0; b < BOUND / 100; b++) {
  const batch = new Map();
  for (let i = 0; i < 100; i++) batch.set(`old-${b}-${i}`, '1');
  await store.putIfAbsent('trace_timestamp', batch);
}
const KEYS = 50_000;
let t = performance.now();
for (let b = 0; b < KEYS / 100; b++) {
  const batch = new Map();
  for (let i = 0; i < 100; i++) batch.set(`new-${b}-${i}`, '2');
  await store.putIfAbsent('trace_timestamp', batch);
}
const storeUs = ((performance.now() - t) * 1000) / KEYS;

const recent = new RecentIds(10_000);
for (let i = 0; i < 10_000; i++) recent.add(`old-${i}`);
const ADDS = 200_000;
t = performance.now();
for (let i = 0; i < ADDS; i++) recent.add(`new-${i}`);
const recentUs = ((performance.now() - t) * 1000) / ADDS;

console.log(
  JSON.stringify({
    idStoreNewKeyAtBoundUs: Number(storeUs.toFixed(2)),
    recentIdsAddUs: Number(recentUs.toFixed(2)),
  }),
);
