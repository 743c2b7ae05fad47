import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ConfigIssue } from '../errors/errors.js';
import type { Traces } from '../pdata/traces.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { ComponentDetails } from './details.js';

export type Kind = 'receiver' | 'processor' | 'exporter' | 'extension';
export type Stability = 'development' | 'alpha' | 'beta' | 'stable';

/** Everything with a lifecycle. The graph starts downstream first and shuts down upstream first. */
export interface Component {
  /** Returns once the component can do its work; background work must not block it. */
  start(host: Host): Promise<void>;
  /**
   * Flushes what it holds downstream and releases resources. Idempotent; safe without `start`.
   * A receiver must stop accepting new data synchronously, when `shutdown` is called: the graph
   * awaits receivers last, so their in-flight requests can complete as the pipeline drains.
   */
  shutdown(): Promise<void>;
}

/**
 * The next stage of a traces pipeline. `consume` resolves once the data is accepted downstream
 * and rejects only with a classified error (`PermanentError` / `RetryableError`; anything else
 * counts as retryable). It must not mutate `traces`.
 */
export interface TracesConsumer {
  consume(traces: Traces): Promise<void>;
}

/**
 * A component's state, as the Collector's component status reports it: `recoverable_error` is
 * a failure the component retries and expects to get over (its destination is down), `degraded`
 * one that needs a person (credentials refused) while the collector runs on, `failed` one that
 * stops the component.
 */
export type ComponentState =
  | 'starting'
  | 'ok'
  | 'recoverable_error'
  | 'degraded'
  | 'failed'
  | 'stopping'
  | 'stopped';

export interface ComponentStatus {
  readonly state: ComponentState;
  readonly reason?: string;
}

export interface ComponentHealth extends ComponentStatus {
  readonly id: string;
  readonly kind: Kind;
  /** When the component entered its state (a new reason for the same state keeps the time). */
  readonly since: Date;
  /** What the component publishes for the status page (`Host.publishDetails`). */
  readonly details?: ComponentDetails;
}

/** One configured pipeline: its components, processors in order. */
export interface PipelineShape {
  readonly id: string;
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}

/** The collector's health as `health_check`, `status` and `doctor` show it. */
export interface CollectorStatus {
  /** True once every pipeline has started, until shutdown begins. */
  readonly ready: boolean;
  readonly startedAt?: Date;
  readonly components: readonly ComponentHealth[];
  readonly pipelines: readonly PipelineShape[];
}

/** What the running collector offers a component (each component gets its own view). */
export interface Host {
  /** A started extension by its id (`file_storage`, `file_storage/queue`), or undefined. */
  getExtension(id: string): Component | undefined;
  /** Reports this component's health, shown by `health_check`; a change is logged once. */
  reportStatus(status: ComponentStatus): void;
  /**
   * Adds live facts for the status page (path in use, queue depth, recent traces); `provider` is
   * called each time someone looks. Several providers of one component are merged, later keys
   * over earlier ones.
   */
  publishDetails(provider: () => ComponentDetails): void;
  /** The whole collector's health. */
  collectorStatus(): CollectorStatus;
}

/** What the collector injects into every component it creates (user input is the Config). */
export interface Settings {
  readonly id: string;
  readonly kind: Kind;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** The pipeline the instance belongs to (processors only; receivers and exporters are shared). */
  readonly pipelineId?: string;
}

/** A network listener a component opens, declared so clashes are found before anything starts. */
export interface Listener {
  /** Key path inside the component's config, e.g. `protocols::http::endpoint`. */
  readonly key: string;
  /** `host:port`. */
  readonly endpoint: string;
}

interface FactoryBase<C> {
  readonly type: string;
  readonly stability: Stability;
  /** Shape, types and per-field rules; unknown keys are rejected (`z.strictObject`). */
  readonly configSchema: z.ZodType<C>;
  /**
   * One readable object with every default; the user's config is merged over it. A default may
   * depend on which blocks the user wrote (`userConfig`), as in the Collector, where writing a
   * `sending_queue` block without `enabled` turns the queue on.
   */
  createDefaultConfig(userConfig?: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** Cross-field rules only; `path` is relative to the component's config. */
  validate?(config: C): ConfigIssue[];
  listeners?(config: C): Listener[];
  /** Extensions the config names (`sending_queue::storage`), checked against `service::extensions`. */
  extensions?(config: C): Array<{ readonly key: string; readonly id: string }>;
}

export interface ReceiverFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'receiver';
  create(settings: Settings, config: C, next: TracesConsumer): Component;
}

export interface ProcessorFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'processor';
  create(settings: Settings, config: C, next: TracesConsumer): Component & TracesConsumer;
}

export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'exporter';
  create(settings: Settings, config: C): Component & TracesConsumer;
}

export interface ExtensionFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'extension';
  create(settings: Settings, config: C): Component;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds factories of every config type.
type AnyConfig = any;
export type AnyFactory =
  | ReceiverFactory<AnyConfig>
  | ProcessorFactory<AnyConfig>
  | ExporterFactory<AnyConfig>
  | ExtensionFactory<AnyConfig>;

/** Helpers that keep `config` typed from the schema when a factory is declared. */
export function defineReceiver<C>(f: Omit<ReceiverFactory<C>, 'kind'>): ReceiverFactory<C> {
  return { kind: 'receiver', ...f };
}
export function defineProcessorFactory<C>(
  f: Omit<ProcessorFactory<C>, 'kind'>,
): ProcessorFactory<C> {
  return { kind: 'processor', ...f };
}
export function defineExporterFactory<C>(f: Omit<ExporterFactory<C>, 'kind'>): ExporterFactory<C> {
  return { kind: 'exporter', ...f };
}
export function defineExtension<C>(f: Omit<ExtensionFactory<C>, 'kind'>): ExtensionFactory<C> {
  return { kind: 'extension', ...f };
}
