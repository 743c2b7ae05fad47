import type { ResolvedConfig } from '../config/resolve.js';
import { parseEndpoint } from '../config/schema.js';

/** A collector found answering on this config's own health or status endpoint. */
export interface RunningCollector {
  /** Where it answered, e.g. `health check at 127.0.0.1:13133`. */
  readonly via: string;
  /** Its components, as `kind:id`. */
  readonly components: ReadonlySet<string>;
}

/** Where to knock for an endpoint a server listens on (`0.0.0.0` and `::` mean this host). */
export function dialable(endpoint: string): string | undefined {
  const parsed = parseEndpoint(endpoint);
  if (!parsed) return undefined;
  const host = ['', '0.0.0.0', '::'].includes(parsed.host) ? '127.0.0.1' : parsed.host;
  return `${host.includes(':') ? `[${host}]` : host}:${parsed.port}`;
}

/**
 * Asks this config's `health_check` and `status` endpoints whether this collector is running
 * already (`doctor` inside a running sidecar): its ports are then taken by itself, not by
 * something else. Undefined when neither answers as this collector does.
 */
export async function findRunningCollector(
  config: ResolvedConfig,
): Promise<RunningCollector | undefined> {
  for (const id of config.extensions) {
    const c = config.components.get(`extension:${id}`);
    const settings = c?.config as { endpoint?: string; path?: string } | undefined;
    const address = settings?.endpoint ? dialable(settings.endpoint) : undefined;
    if (!c || !address) continue;
    if (c.factory.type === 'health_check') {
      const body = await getJson(`http://${address}${settings?.path ?? '/'}`);
      const components = (body as { components?: unknown })?.components;
      if (Array.isArray(components) && typeof (body as { status?: unknown }).status === 'string') {
        const ids = components.map((x: { kind?: string; id?: string }) => `${x.kind}:${x.id}`);
        return { via: `its health check at ${address}`, components: new Set(ids) };
      }
    }
    if (c.factory.type === 'status') {
      const body = (await getJson(`http://${address}/api/status`)) as {
        service?: string;
        pipelines?: Array<Record<'receivers' | 'processors' | 'exporters', Array<{ id: string }>>>;
        extensions?: Array<{ id: string }>;
      };
      if (body?.service === 'dify-opik-collector') {
        const ids = (body.pipelines ?? []).flatMap((p) =>
          (['receivers', 'processors', 'exporters'] as const).flatMap((k) =>
            p[k].map((n) => `${k.slice(0, -1)}:${n.id}`),
          ),
        );
        for (const x of body.extensions ?? []) ids.push(`extension:${x.id}`);
        return { via: `its status page at ${address}`, components: new Set(ids) };
      }
    }
  }
  return undefined;
}

async function getJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return (await res.json()) as unknown;
  } catch {
    return undefined;
  }
}
