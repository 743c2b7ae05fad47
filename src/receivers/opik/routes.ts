import type { EntityType } from './items.js';
import type { WriteRoute } from './metrics.js';

/** What a request asks of the receiver. */
export type Route =
  | { readonly kind: 'ping' }
  | { readonly kind: 'auth' }
  | { readonly kind: 'workspace' }
  | { readonly kind: 'write'; readonly entity: EntityType; readonly write: 'batch' | 'create' }
  | {
      readonly kind: 'write';
      readonly entity: EntityType;
      readonly write: 'update';
      readonly id: string;
    }
  | { readonly kind: 'other'; readonly knownPath: boolean };

export interface ParsedUrl {
  /** The path below Opik's API base: `/v1/private/traces/batch`, `/is-alive/ping`. */
  readonly apiPath: string;
  /** The query string with its `?`, or ''. */
  readonly query: string;
}

/**
 * Opik's paths are served under `/api` (the URL Dify asks for ends in `/api/`), under any prefix
 * before it (a path-routing proxy), and without it (the backend's own paths). The Python SDK
 * 1.10.19–2.0.63 sends its ping to the host root whatever the prefix.
 */
export function parseUrl(url: string): ParsedUrl {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const m = /^(?:\/[^/]+)*?\/api(?=\/(?:v1|is-alive)\/)/.exec(path);
  return { apiPath: m ? path.slice(m[0].length) : path, query };
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const WRITE_PATH = new RegExp(`^/v1/private/(traces|spans)(?:/(batch|${UUID}))?$`);
const OWN_PATHS = new Set(['/is-alive/ping', '/v1/private/auth', '/v1/private/auth/workspace']);

export function routeOf(method: string, apiPath: string): Route {
  if (apiPath === '/is-alive/ping' && (method === 'GET' || method === 'HEAD'))
    return { kind: 'ping' };
  if (apiPath === '/v1/private/auth' && method === 'POST') return { kind: 'auth' };
  if (apiPath === '/v1/private/auth/workspace' && method === 'GET') return { kind: 'workspace' };
  const m = WRITE_PATH.exec(apiPath);
  if (m) {
    const entity: EntityType = m[1] === 'traces' ? 'trace' : 'span';
    if (m[2] === 'batch' && method === 'POST') return { kind: 'write', entity, write: 'batch' };
    if (m[2] === undefined && method === 'POST') return { kind: 'write', entity, write: 'create' };
    if (m[2] !== undefined && m[2] !== 'batch' && method === 'PATCH') {
      return { kind: 'write', entity, write: 'update', id: m[2] };
    }
  }
  return { kind: 'other', knownPath: OWN_PATHS.has(apiPath) || m !== null };
}

export function writeRoute(entity: EntityType, write: 'batch' | 'create' | 'update'): WriteRoute {
  if (write === 'batch') return entity === 'trace' ? 'traces_batch' : 'spans_batch';
  return write === 'update' ? `${entity}_update` : entity;
}
