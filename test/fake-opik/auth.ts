import type { IncomingHttpHeaders } from 'node:http';
import { jsonError, type Reply } from './rest-batch.js';

/** OSS: no keys, only the `default` workspace. Cloud: a key per workspace, both headers required. */
export type AuthMode =
  | { readonly mode: 'oss' }
  | { readonly mode: 'cloud'; readonly keys: Readonly<Record<string, readonly string[]>> };

/** The fixed id Opik OSS gives the `default` workspace. */
export const OSS_WORKSPACE_ID = '0190babc-62a0-71d2-832a-0feffa4676eb';

/** The workspace a request acts in, or Opik's refusal (reference/opik-api-contracts.md §1). */
export function authenticate(
  auth: AuthMode,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): Reply | { workspace: string; workspaceId: string } {
  const header = (name: string) => {
    const v = headers[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
  };
  const workspace = header('comet-workspace') || (query.get('workspace_name') ?? '').trim();
  if (auth.mode === 'oss') {
    if (workspace !== '' && workspace !== 'default') return jsonError(404, 'Workspace not found');
    return { workspace: 'default', workspaceId: OSS_WORKSPACE_ID };
  }
  if (workspace === '') return jsonError(403, 'Workspace name should be provided');
  const key = header('authorization');
  if (key === '') return jsonError(401, 'API key should be provided');
  if (!auth.keys[key]?.includes(workspace)) {
    return jsonError(401, 'User not allowed to access workspace!');
  }
  return { workspace, workspaceId: `ws-${workspace}` };
}
