import type { Logger } from 'pino';
import type { DeliveryDetails, ErrorNote, QueueDetails } from '../component/details.js';
import type { ComponentStatus, Host, Settings } from '../component/types.js';
import { roughDuration } from '../config/go-duration.js';
import { asRetryable } from '../errors/errors.js';
import { failureKind, plainWords, reasonKind } from './plain-words.js';

/** What the sending queue tells the watch, so that it can say where waiting data is. */
export interface QueueView {
  readonly persistent: boolean;
  readonly capacity: number;
  readonly sizer: QueueDetails['sizer'];
  size(): number;
}

export interface DeliveryWatchOptions {
  readonly now?: () => number;
  /** How often, at most, a summary line is written while there is news (the default 1 minute). */
  readonly summaryIntervalMs?: number;
}

const LAST_ERRORS = 5;

/** Failures retries do not get over: logged at error, the exporter `degraded`. */
const NEEDS_A_PERSON = [
  'ERR_EXPORT_UNAUTHORIZED',
  'ERR_DEAD_LETTER_UNWRITABLE',
  'ERR_STORAGE_UNAVAILABLE',
];

/** Faults beside failed deliveries that make an exporter degraded. */
export type Trouble = 'storage' | 'dead_letter';
const TROUBLE_NAMES: Record<Trouble, string> = {
  storage: 'the exporter’s storage',
  dead_letter: 'the dead-letter file',
};

/**
 * Watches one exporter's deliveries and says what happens, once: the first failure of each kind
 * is logged with its reason and what becomes of the data; while failures last, one summary line
 * at most per interval (failures, retries, queued, dead-lettered); the recovery once. Dead
 * letters likewise, and a "delivered" line when data flows. It reports the exporter's health
 * (`recoverable_error` while deliveries fail, `degraded` when credentials are refused, `ok` again
 * after) and publishes the numbers the status page shows.
 *
 * The exporter's parts feed it: the retry sender (each failed attempt), the push counter
 * (delivered spans, or a failure handed back to the sender), the sending queue (where data waits)
 * and whoever writes dead letters.
 */
export class DeliveryWatch {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly hosts = new Set<Host>();
  private queue?: QueueView;
  private maxElapsedMs?: number;
  private deadLetterTarget?: string | null;
  private readonly total = { delivered: 0, failures: 0, retries: 0, deadLettered: 0 };
  private window = { delivered: 0, failures: 0, retries: 0, deadLettered: 0 };
  private failingSince?: number;
  private lastError = '';
  private readonly loggedFailures = new Set<string>();
  private readonly loggedDeadLetters = new Set<string>();
  private readonly lastErrors: ErrorNote[] = [];
  private reported?: ComponentStatus;
  private deliveryStatus?: ComponentStatus;
  private readonly troubles = new Map<Trouble, string>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private deliveredBefore = false;

  constructor(
    private readonly logger: Logger,
    options: DeliveryWatchOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now());
    this.intervalMs = options.summaryIntervalMs ?? 60_000;
  }

  /** Reports health to `host` and publishes the details there; each host once. */
  attach(host: Host): void {
    if (this.hosts.has(host)) return;
    this.hosts.add(host);
    host.publishDetails(() => ({
      delivery: this.details(),
      ...(this.queue ? { queue: this.queueDetails(this.queue) } : {}),
    }));
    if (this.reported) host.reportStatus(this.reported);
  }

  useQueue(queue: QueueView): void {
    this.queue = queue;
  }

  /** Where given-up data goes: a file, or null when it is dropped (counted). */
  useDeadLetters(file: string | null): void {
    this.deadLetterTarget = file;
  }

  /** `maxElapsedMs` 0 = retried until it goes through; undefined = no retries. */
  useRetry(maxElapsedMs: number | undefined): void {
    this.maxElapsedMs = maxElapsedMs;
  }

  /** An attempt failed and is retried after `delayMs`. */
  retrying(err: unknown, delayMs: number): void {
    this.total.retries++;
    this.window.retries++;
    this.failure(err, `retrying in ${roughDuration(delayMs)}; ${this.fateWhileRetrying()}`);
  }

  /** A send failed for good and the error goes back to whoever sent the data. */
  failed(err: unknown): void {
    const retried =
      this.maxElapsedMs && this.maxElapsedMs > 0
        ? ` after ${roughDuration(this.maxElapsedMs)} of retries`
        : '';
    this.failure(err, `given up${retried}; the sender gets the error (and may send again)`);
  }

  delivered(spans: number): void {
    if (spans <= 0) return;
    this.total.delivered += spans;
    this.window.delivered += spans;
    if (this.failingSince !== undefined) this.recover();
    else if (!this.deliveredBefore) this.logger.info({ spans }, `first spans delivered (${spans})`);
    this.deliveredBefore = true;
    this.arm();
  }

  /** `items` given up for good; `file` is where they were written, null when nowhere. */
  deadLettered(items: number, reason: string, file: string | null): void {
    if (items <= 0) return;
    this.deadLetterTarget = file;
    this.total.deadLettered += items;
    this.window.deadLettered += items;
    this.note(reason);
    const kind = reasonKind(reason);
    if (!this.loggedDeadLetters.has(kind)) {
      this.loggedDeadLetters.add(kind);
      const where = file
        ? `written to ${file}; fix the cause, then re-send them with \`dify-opik-collector replay ${file} --config <your config>\``
        : 'dropped (no dead-letter file is configured) and counted';
      this.logger.error(
        { items, reason, file: file ?? undefined },
        `${items} item(s) could not be delivered and will not be retried: ${reason}; ${where}`,
      );
    }
    this.arm();
  }

  /**
   * A fault that keeps the exporter from taking or keeping data (its store cannot write, its
   * dead-letter file cannot be written), or `undefined` once it is over. Logged at error when it
   * begins and at info when it ends; while any lasts the exporter reports itself `degraded`.
   */
  trouble(kind: Trouble, message: string | undefined): void {
    const had = this.troubles.get(kind);
    if (message === undefined) {
      if (had === undefined) return;
      this.troubles.delete(kind);
      this.logger.info({ trouble: kind }, `${TROUBLE_NAMES[kind]} works again`);
    } else {
      this.troubles.set(kind, message);
      this.note(message);
      if (had !== undefined) return;
      this.logger.error({ trouble: kind, error: message }, message);
    }
    this.publishStatus();
  }

  details(): DeliveryDetails {
    return {
      deliveredSpans: this.total.delivered,
      failedAttempts: this.total.failures,
      retries: this.total.retries,
      deadLettered: this.total.deadLettered,
      ...(this.deadLetterTarget ? { deadLetterFile: this.deadLetterTarget } : {}),
      ...(this.failingSince !== undefined
        ? { failingSince: new Date(this.failingSince).toISOString() }
        : {}),
      lastErrors: [...this.lastErrors],
    };
  }

  /** Stops the summary timer for good (the exporter shuts down). */
  stop(): void {
    this.stopped = true;
    this.quiet();
  }

  private failure(err: unknown, fate: string): void {
    this.total.failures++;
    this.window.failures++;
    const words = plainWords(err);
    this.lastError = words;
    this.note(words);
    this.failingSince ??= this.now();
    const kind = failureKind(err);
    const refused = NEEDS_A_PERSON.some((code) => kind.startsWith(code));
    if (!this.loggedFailures.has(kind)) {
      this.loggedFailures.add(kind);
      this.logger[refused ? 'error' : 'warn'](
        { error: words, kind, retryAfterMs: asRetryable(err)?.retryAfterMs },
        `export failing: ${words}; ${fate}`,
      );
    }
    // Refused credentials, a disk that cannot be written need a person; the rest retries may get over.
    this.report({ state: refused ? 'degraded' : 'recoverable_error', reason: words });
    this.arm();
  }

  private recover(): void {
    const lasted = this.now() - this.failingSince!;
    const waiting = this.queue ? `; ${this.describeQueue(this.queue)} waiting` : '';
    this.logger.info(
      { failedForMs: lasted, failures: this.total.failures },
      `delivering again after ${roughDuration(lasted)} of failures${waiting}`,
    );
    this.failingSince = undefined;
    this.loggedFailures.clear();
    this.report({ state: 'ok' });
  }

  private fateWhileRetrying(): string {
    const q = this.queue;
    const waits = q
      ? `the data waits in the ${q.persistent ? 'persistent queue (on disk)' : 'memory queue'}`
      : 'the sender waits for the outcome';
    if (!this.maxElapsedMs) return `${waits}, retried until it goes through`;
    const then = q ? this.deadLetterFate() : 'the sender gets the error';
    return `${waits}; after ${roughDuration(this.maxElapsedMs)} of retries ${then}`;
  }

  private deadLetterFate(): string {
    if (this.deadLetterTarget) return `it is written to ${this.deadLetterTarget}`;
    if (this.deadLetterTarget === null) return 'it is dropped and counted';
    return 'it goes to the dead-letter file';
  }

  /** A summary of the last interval, when there is something to say; then quiet again. */
  private tick(): void {
    const w = this.window;
    this.window = { delivered: 0, failures: 0, retries: 0, deadLettered: 0 };
    const every = roughDuration(this.intervalMs);
    if (this.failingSince !== undefined) {
      const queued = this.queue ? `; ${this.describeQueue(this.queue)} queued` : '';
      this.logger.warn(
        {
          failures: w.failures,
          retries: w.retries,
          queued: this.queue?.size(),
          deadLettered: w.deadLettered,
          error: this.lastError,
        },
        `still failing after ${roughDuration(this.now() - this.failingSince)}: ${w.failures} failed attempt(s), ${w.retries} retries in the last ${every}${queued}; ${w.deadLettered} item(s) dead-lettered; last error: ${this.lastError}`,
      );
      return;
    }
    if (w.deadLettered > 0) {
      this.logger.warn(
        { items: w.deadLettered },
        `${w.deadLettered} item(s) dead-lettered in the last ${every}`,
      );
    } else this.loggedDeadLetters.clear();
    if (w.delivered > 0) {
      this.logger.info(
        { spans: w.delivered },
        `delivered ${w.delivered} span(s) in the last ${every}`,
      );
    }
    if (w.delivered === 0 && w.deadLettered === 0) this.quiet();
  }

  private quiet(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs the summary timer while there is news; it never keeps the process alive. */
  private arm(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private report(status: ComponentStatus): void {
    this.deliveryStatus = status;
    this.publishStatus();
  }

  /** The delivery's status, unless a trouble makes the exporter degraded. */
  private publishStatus(): void {
    const trouble = this.troubles.values().next().value;
    const status: ComponentStatus | undefined =
      trouble !== undefined
        ? { state: 'degraded', reason: trouble }
        : (this.deliveryStatus ?? (this.reported ? { state: 'ok' } : undefined));
    if (status === undefined) return;
    if (this.reported?.state === status.state && this.reported.reason === status.reason) return;
    this.reported = status;
    for (const h of this.hosts) h.reportStatus(status);
  }

  private note(message: string): void {
    const time = new Date(this.now()).toISOString();
    const latest = this.lastErrors[0];
    if (latest?.message === message) {
      this.lastErrors[0] = { time, message, count: latest.count + 1 };
      return;
    }
    this.lastErrors.unshift({ time, message, count: 1 });
    this.lastErrors.length = Math.min(this.lastErrors.length, LAST_ERRORS);
  }

  private queueDetails(q: QueueView): QueueDetails {
    return { size: q.size(), capacity: q.capacity, sizer: q.sizer, persistent: q.persistent };
  }

  private describeQueue(q: QueueView): string {
    const unit = q.sizer === 'items' ? 'span(s)' : q.sizer === 'bytes' ? 'byte(s)' : 'request(s)';
    return `${q.size()} ${unit}`;
  }
}

const watches = new WeakMap<Settings, DeliveryWatch>();

/**
 * The watch of the exporter these settings belong to: the queue, the chain and the push counter
 * of one exporter all feed the same one.
 */
export function deliveryWatch(settings: Settings, options?: DeliveryWatchOptions): DeliveryWatch {
  let watch = watches.get(settings);
  if (!watch) {
    watch = new DeliveryWatch(settings.logger, options);
    watches.set(settings, watch);
  }
  return watch;
}
