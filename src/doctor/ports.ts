import { createServer } from 'node:net';
import type { ResolvedConfig } from '../config/resolve.js';
import { parseEndpoint } from '../config/schema.js';
import { type CheckResult, fail, pass } from './check.js';
import { findRunningCollector, type RunningCollector } from './running.js';

interface Bound {
  /** `receiver:otlp`, `extension:health_check`; undefined for the metrics endpoint. */
  readonly component?: string;
  readonly owner: string;
  readonly key: string;
  readonly endpoint: string;
}

/** Every address the config will listen on: receivers, extensions, the metrics endpoint. */
export function listenersOf(config: ResolvedConfig): Bound[] {
  const active = new Set([
    ...config.pipelines.flatMap((p) => p.receivers.map((id) => `receiver:${id}`)),
    ...config.extensions.map((id) => `extension:${id}`),
  ]);
  const out: Bound[] = [];
  for (const c of config.components.values()) {
    if (!active.has(`${c.kind}:${c.id}`)) continue;
    for (const l of c.factory.listeners?.(c.config) ?? []) {
      out.push({
        component: `${c.kind}:${c.id}`,
        owner: `${c.kind} "${c.id}"`,
        key: `${c.kind}s::${c.id}::${l.key}`,
        endpoint: l.endpoint,
      });
    }
  }
  if (config.telemetry.metrics.level !== 'none') {
    out.push({
      owner: 'the metrics endpoint',
      key: 'service::telemetry::metrics::address',
      endpoint: config.telemetry.metrics.address,
    });
  }
  return out;
}

/**
 * Tries to listen on each address and lets go at once. An address in use by this very
 * collector, already running with this config (`doctor` run inside the sidecar), passes.
 */
export async function checkPorts(config: ResolvedConfig): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let running: Promise<RunningCollector | undefined> | undefined; // asked once, when needed
  for (const b of listenersOf(config)) {
    const error = await tryListen(b.endpoint);
    if (error === undefined) {
      results.push(pass(`${b.owner} can listen on ${b.endpoint}`));
      continue;
    }
    if (error === IN_USE) {
      running ??= findRunningCollector(config);
      const found = await running;
      if (found && (b.component === undefined || found.components.has(b.component))) {
        results.push(
          pass(`${b.owner} is serving on ${b.endpoint} in the running collector (${found.via})`),
        );
        continue;
      }
    }
    results.push(
      fail(
        `${b.owner} cannot listen on ${b.endpoint}: ${error}`,
        `stop what uses that address (another collector?) or change ${b.key}`,
      ),
    );
  }
  return results;
}

const IN_USE = 'the address is already in use';

function tryListen(endpoint: string): Promise<string | undefined> {
  const parsed = parseEndpoint(endpoint);
  if (!parsed) return Promise.resolve('not a host:port');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'EADDRINUSE'
          ? IN_USE
          : err.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : err.code === 'EADDRNOTAVAIL'
              ? 'no network interface has that address'
              : err.message,
      ),
    );
    server.listen(parsed.port, parsed.host || undefined, () =>
      server.close(() => resolve(undefined)),
    );
  });
}
