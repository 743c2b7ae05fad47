import type { IdSpace, IdStore } from './id-store.js';
import type { MemoryIdStore } from './memory-id-store.js';

const SPACES: readonly IdSpace[] = ['trace_timestamp', 'opik_trace', 'opik_span'];

/** Keys handed to the shared store per call while reconciling. */
const RECONCILE_CHUNK = 1000;

/** What a fallback store tells its owner (the `redis_storage` extension logs and counts it). */
export interface FallbackEvents {
  /** A call to the shared store failed, or did not answer within the timeout. */
  failed(err: unknown): void;
  /** A call was answered from local memory. */
  answeredLocally(): void;
  /**
   * Entries this collector used a different value for than the shared store holds: spans were
   * written under both (`trace_timestamp`: the OTel trace is two Opik traces), or parked records
   * that can no longer be moved under their trace (`parked`, counted in records).
   */
  split(space: IdSpace | 'parked', n: number): void;
  /** Entries handed to the shared store after an outage. */
  reconciled(n: number): void;
}

/** An id store over a shared one that keeps working, from local memory, while that one cannot. */
export interface FallbackIdStore extends IdStore {
  /** Whether calls go to the shared store now (false while it is down and while reconciling). */
  readonly shared: boolean;
  /** From now on calls are answered from local memory (the shared store is down). */
  useLocal(): void;
  /**
   * Hands what local memory holds to the shared store, then sends calls there again; rejects,
   * staying local, when the shared store fails meanwhile. Resolves at once when already shared.
   */
  reconcile(): Promise<void>;
}

/** A call that did not answer in time (it may still be applied later). */
export class TimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimedOut';
  }
}

/** `p`, or a `TimedOut` rejection after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimedOut(ms)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * `shared` (Redis) with `local` (memory) as its mirror and stand-in:
 *
 * - While the shared store answers, every call goes there and local memory learns each answer
 *   (the winners of `putIfAbsent`, the values `get` and `park` found), so it knows the traces of
 *   this collector's recent past.
 * - A call that fails or takes longer than `timeoutMs` is answered from local memory, and so is
 *   every call after it (no waiting on a store that is down) until `reconcile` succeeds. A trace
 *   local memory knows keeps its id; a new one gets its timestamp here. The answer of a call
 *   that timed out but reaches Redis later is still learnt: a different winner is a split.
 * - `reconcile` (Redis answers again) stores every entry local memory holds with
 *   `putIfAbsent`, a thousand at a time, while calls are still answered locally; then the
 *   entries written meanwhile, until none are left, and then calls go to the shared store again.
 *   First stored wins as always: where the shared store holds another value (another collector
 *   stored it first, during or before the outage), local memory takes it and the entry counts
 *   as split; where it holds none (Redis lost its data) the local value is stored. Records
 *   parked locally are parked in the shared store; those whose trace's Opik id it knows by then
 *   can no longer be moved (split, counted per record).
 */
export function fallbackIdStore(
  shared: IdStore,
  local: MemoryIdStore,
  options: { readonly timeoutMs: number; readonly startShared: boolean },
  events: FallbackEvents,
): FallbackIdStore {
  let mode: 'shared' | 'local' | 'reconciling' = options.startShared ? 'shared' : 'local';
  /** What local answers wrote since the current reconcile round began (only while reconciling). */
  let dirty = emptyRound();
  const reconciling = () => mode === 'reconciling';

  /** The shared store's answer, or why there is none; `late` settles when it finally answers. */
  async function ask<T>(
    call: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown; late?: Promise<T> }> {
    const pending = call();
    try {
      return { ok: true, value: await withTimeout(pending, options.timeoutMs) };
    } catch (error) {
      return error instanceof TimedOut ? { ok: false, error, late: pending } : { ok: false, error };
    }
  }

  function fail(error: unknown, late?: Promise<unknown>): void {
    late?.catch(() => {});
    if (mode === 'shared') mode = 'local';
    events.failed(error);
  }

  /** Runs `remote` on the shared store when it is in use; else, or when it fails, `fallback`. */
  async function either<T>(remote: () => Promise<T>, fallback: (late?: Promise<T>) => Promise<T>) {
    if (mode !== 'shared') return fallback();
    const answer = await ask(remote);
    if (answer.ok) return answer.value;
    fail(answer.error, answer.late);
    return fallback(answer.late);
  }

  const localPut = async (space: IdSpace, entries: ReadonlyMap<string, string>) => {
    events.answeredLocally();
    if (reconciling()) for (const key of entries.keys()) dirty.spaces.get(space)!.add(key);
    return local.putIfAbsent(space, entries);
  };

  /**
   * Local memory takes the shared store's winners for entries it answered itself (late answers,
   * reconciling); each winner that differs from the value used here is a split.
   */
  function learnLate(
    space: IdSpace,
    answered: ReadonlyMap<string, string>,
    late: Map<string, string>,
  ) {
    let split = 0;
    for (const [key, value] of late) if (answered.get(key) !== value) split++;
    local.overwrite(space, late);
    if (split > 0) events.split(space, split);
  }

  async function pushRound(round: Round): Promise<void> {
    for (const space of SPACES) {
      const keys = [...round.spaces.get(space)!];
      const known = keys.length > 0 ? local.entries(space) : new Map<string, string>();
      for (let i = 0; i < keys.length; i += RECONCILE_CHUNK) {
        const chunk = new Map<string, string>();
        for (const key of keys.slice(i, i + RECONCILE_CHUNK)) {
          const value = known.get(key);
          if (value !== undefined) chunk.set(key, value);
        }
        if (chunk.size === 0) continue;
        const answer = await ask(() => shared.putIfAbsent(space, chunk));
        if (!answer.ok) throw answer.error;
        events.reconciled(chunk.size);
        learnLate(space, chunk, answer.value);
      }
    }
    const parked = await local.takeParked(round.parked);
    for (let n = 0; parked.size > 0; n++) {
      // One record per trace per call: the n-th of each trace, oldest first.
      const records = new Map<string, string>();
      for (const [traceId, list] of parked) {
        if (n < list.length) records.set(traceId, list[n]!);
        else parked.delete(traceId);
      }
      if (records.size === 0) break;
      const answer = await ask(() => shared.park(records));
      if (!answer.ok) {
        // Back where they were, to be handed over next time.
        for (const [traceId, list] of parked) {
          for (const record of list.slice(n)) await local.park(new Map([[traceId, record]]));
        }
        throw answer.error;
      }
      events.reconciled(records.size);
      local.overwrite('opik_trace', answer.value);
      let stranded = 0;
      for (const traceId of answer.value.keys()) {
        stranded += parked.get(traceId)!.length - n;
        parked.delete(traceId);
      }
      if (stranded > 0) events.split('parked', stranded);
    }
  }

  return {
    get shared() {
      return mode === 'shared';
    },
    useLocal() {
      if (mode === 'shared') mode = 'local';
    },
    async reconcile() {
      if (mode !== 'local') return;
      mode = 'reconciling';
      let round: Round = {
        spaces: new Map(SPACES.map((s) => [s, new Set(local.entries(s).keys())])),
        parked: new Set(local.parkedTraceIds()),
      };
      dirty = emptyRound();
      try {
        while (!isEmpty(round)) {
          await pushRound(round);
          round = dirty;
          dirty = emptyRound();
        }
        mode = 'shared';
      } catch (err) {
        // What this round did not hand over is handed over next time, with the rest.
        mode = 'local';
        throw err;
      }
    },
    putIfAbsent: (space, entries) =>
      either(
        async () => {
          const winners = await shared.putIfAbsent(space, entries);
          local.overwrite(space, winners);
          return winners;
        },
        async (late) => {
          const answered = await localPut(space, entries);
          late?.then(
            (winners) => learnLate(space, answered, winners),
            () => {},
          );
          return answered;
        },
      ),
    get: (space, keys) => {
      const list = [...keys];
      return either(
        async () => {
          const found = await shared.get(space, list);
          local.overwrite(space, found);
          return found;
        },
        async () => {
          events.answeredLocally();
          return local.get(space, list);
        },
      );
    },
    park: (records) =>
      either(
        async () => {
          const known = await shared.park(records);
          local.overwrite('opik_trace', known);
          return known;
        },
        async (late) => {
          events.answeredLocally();
          const known = await local.park(records);
          if (reconciling()) {
            for (const traceId of records.keys())
              if (!known.has(traceId)) dirty.parked.add(traceId);
          }
          // Parked in Redis too, once it answers: the records are moved once (twins are merged).
          late?.then(
            (k) => local.overwrite('opik_trace', k),
            () => {},
          );
          return known;
        },
      ),
    takeParked: (traceIds) => {
      const list = [...traceIds];
      return either(
        () => shared.takeParked(list),
        async (late) => {
          events.answeredLocally();
          // Records Redis gave out after the caller stopped waiting go back to be parked again;
          // where the trace's Opik id is known here they can no longer be moved.
          late?.then(
            async (taken) => {
              let stranded = 0;
              for (const [traceId, records] of taken) {
                for (const record of records) {
                  const one = new Map([[traceId, record]]);
                  const known = await (mode === 'shared'
                    ? shared.park(one)
                    : local.park(one)
                  ).catch(() => local.park(one));
                  if (known.size > 0) stranded++;
                  else if (reconciling()) dirty.parked.add(traceId);
                }
              }
              if (stranded > 0) events.split('parked', stranded);
            },
            () => {},
          );
          return local.takeParked(list);
        },
      );
    },
  };
}

interface Round {
  readonly spaces: Map<IdSpace, Set<string>>;
  readonly parked: Set<string>;
}

function emptyRound(): Round {
  return { spaces: new Map(SPACES.map((s) => [s, new Set<string>()])), parked: new Set() };
}

function isEmpty(r: Round): boolean {
  return r.parked.size === 0 && [...r.spaces.values()].every((s) => s.size === 0);
}
