import type { z } from 'zod';
import { parseComponentId } from '../component/id.js';
import type { AnyFactory, Kind } from '../component/types.js';
import { ConfigError, type ConfigIssue } from '../errors/errors.js';
import { expandEnv } from './expand.js';
import { findListenerClashes } from './listeners.js';
import type { LoadedConfig } from './load.js';
import { joinPath } from './location.js';
import { deepMerge, isMap } from './merge.js';
import { rememberSecretsIn } from './secret.js';
import {
  DEFAULT_TELEMETRY,
  serviceSchema,
  type TelemetryConfig,
  TOP_LEVEL_KEYS,
} from './service.js';

export interface ResolvedComponent {
  readonly id: string;
  readonly kind: Kind;
  readonly factory: AnyFactory;
  /** The parsed config (defaults applied, durations in ms). */
  readonly config: unknown;
  /** The user's config merged over the defaults, before parsing: what `print-config` shows. */
  readonly effective: unknown;
}

export interface ResolvedPipeline {
  readonly id: string;
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}

export interface ResolvedConfig {
  readonly components: ReadonlyMap<string, ResolvedComponent>;
  readonly pipelines: readonly ResolvedPipeline[];
  readonly extensions: readonly string[];
  readonly telemetry: TelemetryConfig;
  /** Environment variables referenced without a value or default. */
  readonly unsetEnv: readonly string[];
}

const SECTIONS: ReadonlyArray<readonly [string, Kind]> = [
  ['receivers', 'receiver'],
  ['processors', 'processor'],
  ['exporters', 'exporter'],
  ['extensions', 'extension'],
];

/** The key under which a component lives: `receiver:otlp`, so kinds cannot collide. */
export const componentKey = (kind: Kind, id: string) => `${kind}:${id}`;

/**
 * Turns a loaded config into components ready to build, or throws a `ConfigError` holding every
 * problem at once (each with its key path and, where there is one, its file and line).
 */
export function resolveConfig(
  loaded: LoadedConfig,
  factories: readonly AnyFactory[],
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const issues: ConfigIssue[] = [];
  const report = (path: readonly (string | number)[], message: string) => {
    const loc = loaded.locations.find(path);
    issues.push({ path: joinPath(path), message, file: loc?.file, line: loc?.line });
  };

  const expansion = expandEnv(loaded.raw, env);
  for (const issue of expansion.issues) report(issue.path.split('::'), issue.message);
  const raw = expansion.value as Record<string, unknown>;
  // Whatever this process prints or logs from now on is scrubbed of these values.
  rememberSecretsIn(raw);

  for (const key of Object.keys(raw)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      report([key], `unknown section; expected one of ${TOP_LEVEL_KEYS.join(', ')}`);
    }
  }
  if (isMap(raw.connectors) && Object.keys(raw.connectors).length > 0) {
    report(['connectors'], 'connectors are not supported by this collector');
  }

  const components = new Map<string, ResolvedComponent>();
  // Every id written under a section, valid or not: a pipeline naming an invalid component is
  // not reported a second time as "not configured".
  const defined = new Set<string>();
  for (const [section, kind] of SECTIONS) {
    const entries = raw[section];
    if (entries === undefined || entries === null) continue;
    if (!isMap(entries)) {
      report([section], 'expected a map of component ids to their configs');
      continue;
    }
    for (const [id, userConfig] of Object.entries(entries)) {
      defined.add(componentKey(kind, id));
      const resolved = resolveComponent(section, kind, id, userConfig, factories, report);
      if (resolved) components.set(componentKey(kind, id), resolved);
    }
  }

  const service = resolveService(raw.service, defined, report);
  for (const c of components.values()) {
    for (const ref of c.factory.extensions?.(c.config) ?? []) {
      if (!service.extensions.includes(ref.id)) {
        report(
          [`${c.kind}s`, c.id, ...ref.key.split('::')],
          `names extension "${ref.id}", which is not listed under service::extensions${defined.has(componentKey('extension', ref.id)) ? '' : ' nor configured under extensions'}`,
        );
      }
    }
  }
  const active = activeComponents(service.pipelines, service.extensions, components);
  for (const clash of findListenerClashes(active, service.telemetry))
    report(clash.path, clash.message);

  if (issues.length > 0) throw new ConfigError(issues);
  return { components, ...service, unsetEnv: expansion.unset };
}

/**
 * The kind and type of every component the loaded config defines under its sections, before
 * anything is checked (ids that do not parse are left out; `resolveConfig` reports them).
 */
export function namedComponents(
  loaded: LoadedConfig,
): Array<{ readonly kind: Kind; readonly type: string }> {
  const named: Array<{ kind: Kind; type: string }> = [];
  for (const [section, kind] of SECTIONS) {
    const entries = loaded.raw[section];
    if (!isMap(entries)) continue;
    for (const id of Object.keys(entries)) {
      const parsed = parseComponentId(id);
      if (typeof parsed !== 'string') named.push({ kind, type: parsed.type });
    }
  }
  return named;
}

type Report = (path: readonly (string | number)[], message: string) => void;

function resolveComponent(
  section: string,
  kind: Kind,
  id: string,
  userConfig: unknown,
  factories: readonly AnyFactory[],
  report: Report,
): ResolvedComponent | undefined {
  const parsedId = parseComponentId(id);
  if (typeof parsedId === 'string') {
    report([section, id], parsedId);
    return undefined;
  }
  const factory = factories.find((f) => f.kind === kind && f.type === parsedId.type);
  if (!factory) {
    const known = factories.filter((f) => f.kind === kind).map((f) => f.type);
    report(
      [section, id],
      `unknown ${kind} type "${parsedId.type}"; known types: ${known.join(', ') || 'none'}`,
    );
    return undefined;
  }
  if (userConfig !== null && userConfig !== undefined && !isMap(userConfig)) {
    report([section, id], 'expected a map of settings (or nothing, for the defaults)');
    return undefined;
  }
  const user = (userConfig ?? {}) as Record<string, unknown>;
  const effective = deepMerge(factory.createDefaultConfig(user), user);
  const parsed = (factory.configSchema as z.ZodType).safeParse(effective);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          report([section, id, ...pathOf(issue.path), key], 'unknown key');
      } else {
        report([section, id, ...pathOf(issue.path)], issue.message);
      }
    }
    return undefined;
  }
  for (const issue of factory.validate?.(parsed.data) ?? []) {
    report([section, id, ...(issue.path ? issue.path.split('::') : [])], issue.message);
  }
  return { id, kind, factory, config: parsed.data, effective };
}

function pathOf(path: readonly PropertyKey[]): string[] {
  return path.map((p) => String(p));
}

function resolveService(
  service: unknown,
  defined: ReadonlySet<string>,
  report: Report,
): { pipelines: ResolvedPipeline[]; extensions: string[]; telemetry: TelemetryConfig } {
  const empty = { pipelines: [], extensions: [], telemetry: DEFAULT_TELEMETRY };
  if (service === undefined || service === null) {
    report(
      ['service'],
      'missing; a config needs service::pipelines with at least one traces pipeline',
    );
    return empty;
  }
  const parsed = serviceSchema.safeParse(service);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          report(['service', ...pathOf(issue.path), key], 'unknown key');
      } else report(['service', ...pathOf(issue.path)], issue.message);
    }
    // A mistake elsewhere in `service` (a log level, say) must not make the extensions look
    // unlisted: components naming one would be reported for a problem they do not have.
    const listed = serviceSchema.shape.extensions.safeParse(
      isMap(service) ? service.extensions : [],
    );
    return { ...empty, extensions: listed.success ? (listed.data ?? []) : [] };
  }
  const extensions = parsed.data.extensions ?? [];
  checkReferences(['service', 'extensions'], extensions, 'extension', defined, report);

  const pipelines: ResolvedPipeline[] = [];
  const entries = Object.entries(parsed.data.pipelines ?? {});
  if (entries.length === 0) {
    report(['service', 'pipelines'], 'at least one traces pipeline is required');
  }
  for (const [id, pipeline] of entries) {
    const path = ['service', 'pipelines', id];
    const signal = id.split('/')[0];
    if (signal !== 'traces') {
      report(
        path,
        `unsupported signal "${signal}": this collector runs traces pipelines (traces or traces/<name>)`,
      );
      continue;
    }
    const parsedId = parseComponentId(id);
    if (typeof parsedId === 'string') {
      report(path, parsedId.replace('component id', 'pipeline id'));
      continue;
    }
    const p = {
      id,
      receivers: pipeline?.receivers ?? [],
      processors: pipeline?.processors ?? [],
      exporters: pipeline?.exporters ?? [],
    };
    if (p.receivers.length === 0)
      report([...path, 'receivers'], 'a pipeline needs at least one receiver');
    if (p.exporters.length === 0)
      report([...path, 'exporters'], 'a pipeline needs at least one exporter');
    checkReferences([...path, 'receivers'], p.receivers, 'receiver', defined, report);
    checkReferences([...path, 'processors'], p.processors, 'processor', defined, report);
    checkReferences([...path, 'exporters'], p.exporters, 'exporter', defined, report);
    pipelines.push(p);
  }

  const t = parsed.data.telemetry ?? {};
  const telemetry: TelemetryConfig = {
    logs: { ...DEFAULT_TELEMETRY.logs, ...t.logs },
    metrics: { ...DEFAULT_TELEMETRY.metrics, ...t.metrics },
  };
  return { pipelines, extensions, telemetry };
}

function checkReferences(
  path: string[],
  ids: readonly string[],
  kind: Kind,
  defined: ReadonlySet<string>,
  report: Report,
): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) report([...path, i], `${kind} "${id}" is listed more than once`);
    seen.add(id);
    if (!defined.has(componentKey(kind, id))) {
      report([...path, i], `references ${kind} "${id}", which is not configured under ${kind}s`);
    }
  });
}

function activeComponents(
  pipelines: readonly ResolvedPipeline[],
  extensions: readonly string[],
  components: ReadonlyMap<string, ResolvedComponent>,
): ResolvedComponent[] {
  const keys = new Set<string>();
  for (const p of pipelines) {
    for (const id of p.receivers) keys.add(componentKey('receiver', id));
    for (const id of p.exporters) keys.add(componentKey('exporter', id));
  }
  for (const id of extensions) keys.add(componentKey('extension', id));
  return [...keys].flatMap((k) => components.get(k) ?? []);
}
