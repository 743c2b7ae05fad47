import { CollectorError, errorMessage } from '../errors/errors.js';

/** What a network error code means, for a person who has never seen it. */
const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens at that address; is the service running?',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved just now (DNS)',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  ECONNRESET: 'the connection was cut',
  UND_ERR_SOCKET: 'the connection was cut',
  EHOSTUNREACH: 'the network cannot reach that host',
  ENETUNREACH: 'the network cannot reach that host',
  EPIPE: 'the connection was cut',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted',
};

/** What an HTTP status from a destination means. */
const HTTP: Record<number, string> = {
  401: 'the credentials were refused',
  403: 'access was refused (check the workspace)',
  408: 'the server gave up waiting for the request',
  413: 'the request was too large',
  429: 'rate limited: too many requests',
  500: 'the server failed',
  502: 'a proxy in front of the server got no good answer from it',
  503: 'the service is unavailable (down, starting or overloaded)',
  504: 'a proxy in front of the server got no answer in time',
};

/** The network error code somewhere in an error's cause chain (`ECONNREFUSED`), if any. */
export function networkCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in NETWORK) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The HTTP status a message names (`HTTP 503`), if any. */
function httpStatus(text: string): number | undefined {
  const m = /\bHTTP (\d{3})\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** An error as a person reads it: its message and, for a known network code or status, what it means. */
export function plainWords(err: unknown): string {
  const message = errorMessage(err);
  const code = networkCode(err);
  const status = httpStatus(message);
  const hint = code ? NETWORK[code] : status ? HTTP[status] : undefined;
  return hint ? `${message} (${hint})` : message;
}

/**
 * The kind of a failure, for "logged once per kind": its error code and the HTTP status or
 * network code it carries, so that "Opik answered HTTP 503" twice is one kind and a switch to
 * "connection refused" is another.
 */
export function failureKind(err: unknown): string {
  const code = err instanceof CollectorError ? err.code : 'ERR_UNCLASSIFIED';
  const message = errorMessage(err);
  const detail = networkCode(err) ?? httpStatus(message);
  return detail === undefined ? code : `${code}:${detail}`;
}

/** The kind of a reason given as text (a dead-letter reason): its HTTP status, or its first clause. */
export function reasonKind(reason: string): string {
  const status = httpStatus(reason);
  if (status !== undefined) return `HTTP ${status}`;
  return reason.split(/[:;(]/, 1)[0]!.trim().slice(0, 80);
}
