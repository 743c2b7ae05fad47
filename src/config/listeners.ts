import type { AnyFactory, Kind } from '../component/types.js';
import { parseEndpoint } from './schema.js';
import type { TelemetryConfig } from './service.js';

/** What the check needs of a resolved component: who it is and the endpoints it would bind. */
interface ListeningComponent {
  readonly id: string;
  readonly kind: Kind;
  readonly factory: Pick<AnyFactory, 'listeners'>;
  readonly config: unknown;
}

interface Bound {
  readonly path: string[];
  readonly owner: string;
  readonly host: string;
  readonly port: number;
}

const ANY_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);

/** Two listeners on one port (and overlapping addresses) would fail at start: report it now. */
export function findListenerClashes(
  active: readonly ListeningComponent[],
  telemetry: TelemetryConfig,
): Array<{ path: string[]; message: string }> {
  const bound: Bound[] = [];
  const add = (path: string[], owner: string, endpoint: string) => {
    const parsed = parseEndpoint(endpoint);
    if (parsed && parsed.port !== 0) bound.push({ path, owner, ...parsed });
  };
  for (const c of active) {
    const section = `${c.kind}s`;
    for (const l of c.factory.listeners?.(c.config) ?? []) {
      add([section, c.id, ...l.key.split('::')], `${c.kind} "${c.id}" (${l.key})`, l.endpoint);
    }
  }
  if (telemetry.metrics.level !== 'none') {
    add(
      ['service', 'telemetry', 'metrics', 'address'],
      'service::telemetry::metrics',
      telemetry.metrics.address,
    );
  }
  const clashes: Array<{ path: string[]; message: string }> = [];
  bound.forEach((b, i) => {
    const earlier = bound.slice(0, i).find((a) => a.port === b.port && overlaps(a.host, b.host));
    if (earlier) {
      clashes.push({
        path: b.path,
        message: `port ${b.port} is already used by ${earlier.owner}; two listeners cannot share a port`,
      });
    }
  });
  return clashes;
}

function overlaps(a: string, b: string): boolean {
  return a === b || ANY_HOSTS.has(a) || ANY_HOSTS.has(b);
}
