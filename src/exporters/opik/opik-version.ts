import type { OpikHttp } from './client.js';

/** How Opik stores OTLP attributes: 2.1's full keys, or 2.2's stripped prefixes (reference/opik.md). */
export type OpikEncoding = '2.1' | '2.2';

/** The newest Opik release this collector knows (reference/opik.md, "Sources and versions"). */
export const NEWEST_KNOWN_OPIK = '2.2.122';

/** What the exporter learnt about the Opik it talks to. */
export interface OpikVersion {
  /** What Opik said (`GET /is-alive/ver`), or undefined when it did not say. */
  readonly reported?: string;
  readonly encoding: OpikEncoding;
  /** False for a version newer than `NEWEST_KNOWN_OPIK`, or none: written as for the newest. */
  readonly known: boolean;
}

/**
 * The encoding for a reported version: before 2.2.0 Opik stores full keys; from 2.2.0 on, the
 * stripped ones (PR #7499). A version newer than the newest known, or an answer that is not a
 * version, gets the newest known encoding.
 */
export function opikVersion(reported: string | undefined): OpikVersion {
  const parsed = reported === undefined ? undefined : parseVersion(reported);
  if (!parsed || compare(parsed, parseVersion(NEWEST_KNOWN_OPIK)!) > 0) {
    return { reported, encoding: '2.2', known: false };
  }
  return { reported, encoding: compare(parsed, [2, 2, 0]) < 0 ? '2.1' : '2.2', known: true };
}

/**
 * Asks Opik its version: `GET {endpoint}/is-alive/ver` answers `{"version":"2.2.122"}` (Opik's
 * `IsAliveResource`, outside `/v1/private`: no credentials needed). Undefined when it says nothing
 * usable; a transport failure throws (as any request of the exporter).
 */
export async function fetchOpikVersion(
  http: OpikHttp,
  signal: AbortSignal,
): Promise<string | undefined> {
  const answer = await http.get('/is-alive/ver', signal);
  if (answer.status !== 200) return undefined;
  try {
    const { version } = JSON.parse(answer.body) as { version?: unknown };
    return typeof version === 'string' && version.trim() !== '' ? version.trim() : undefined;
  } catch {
    return undefined;
  }
}

function parseVersion(text: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
