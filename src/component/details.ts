/**
 * What a component shows on the `status` page beyond its state (`Host.publishDetails`). Every
 * part is optional: a component publishes what it has, the page shows what it gets.
 */
export interface ComponentDetails {
  /** The delivery path in use, for an exporter with more than one (`otlp`, `rest`). */
  readonly path?: string;
  readonly queue?: QueueDetails;
  readonly delivery?: DeliveryDetails;
  /** Where the data lands, for a person to look: an Opik project and its link. */
  readonly destination?: { readonly label: string; readonly url?: string };
  /** The latest traces delivered, newest first. */
  readonly recentTraces?: readonly RecentTrace[];
}

export interface QueueDetails {
  /** Held now, in `sizer` units. */
  readonly size: number;
  readonly capacity: number;
  readonly sizer: 'requests' | 'items' | 'bytes';
  /** Kept on disk across restarts. */
  readonly persistent: boolean;
}

/** An exporter's deliveries since start, and what went wrong lately. */
export interface DeliveryDetails {
  readonly deliveredSpans: number;
  readonly failedAttempts: number;
  readonly retries: number;
  /** Items given up on: written to the dead-letter file (or dropped without one). */
  readonly deadLettered: number;
  readonly deadLetterFile?: string;
  /** Set while deliveries fail: when the failures began (ISO-8601). */
  readonly failingSince?: string;
  /** The latest distinct errors, newest first, in plain words. */
  readonly lastErrors: readonly ErrorNote[];
}

export interface ErrorNote {
  /** The last time it happened (ISO-8601). */
  readonly time: string;
  readonly message: string;
  /** How many times in a row. */
  readonly count: number;
}

export interface RecentTrace {
  readonly id: string;
  readonly name: string;
  readonly spans: number;
  readonly status: 'ok' | 'error';
  /** When its spans were last delivered (ISO-8601). */
  readonly time: string;
  /** Where a person can see it. */
  readonly url?: string;
}
