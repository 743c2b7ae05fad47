import { z } from 'zod';
import { str } from '../config/schema.js';
import { CollectorError } from '../errors/errors.js';
import type { Component, Host } from './types.js';

/**
 * Authenticators, as the Collector's `extensionauth`: an extension that checks incoming requests
 * (`ServerAuthenticator`) or adds credentials to outgoing ones (`ClientAuthenticator`), named by
 * a component's `auth: { authenticator: <extension id> }`.
 */

/** Request headers as Node gives them (lower-case names) or gRPC metadata as a map. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ServerAuthenticator {
  /**
   * Checks a request's headers before its body is read. Throws a `CollectorError`
   * `ERR_UNAUTHENTICATED` whose message is safe to show the client (it never repeats what the
   * client sent).
   */
  authenticate(headers: RequestHeaders): void;
}

export interface ClientAuthenticator {
  /** Headers (HTTP) or metadata (gRPC) to add to every outgoing request, lower-case names. */
  authHeaders(): Record<string, string>;
}

/** `auth:` on a receiver or an exporter. */
export const authSettingsSchema = z.strictObject({
  /** The id of the extension that authenticates, e.g. `bearertokenauth`. */
  authenticator: str().refine((v) => v.trim() !== '', { error: 'must name an extension' }),
});

export type AuthSettings = z.infer<typeof authSettingsSchema>;

function isServerAuthenticator(c: unknown): c is ServerAuthenticator {
  return typeof (c as Partial<ServerAuthenticator> | undefined)?.authenticate === 'function';
}

function isClientAuthenticator(c: unknown): c is ClientAuthenticator {
  return typeof (c as Partial<ClientAuthenticator> | undefined)?.authHeaders === 'function';
}

function extension(host: Host, id: string): Component {
  const ext = host.getExtension(id);
  if (!ext)
    throw new Error(`auth: extension "${id}" is not running; list it under service::extensions`);
  return ext;
}

/** The server authenticator an `auth:` block names, from the running extensions. */
export function serverAuthenticator(host: Host, auth: AuthSettings): ServerAuthenticator {
  const ext = extension(host, auth.authenticator);
  if (!isServerAuthenticator(ext))
    throw new Error(`auth: extension "${auth.authenticator}" cannot authenticate requests`);
  return ext;
}

/** The client authenticator an `auth:` block names, for exporters. */
export function clientAuthenticator(host: Host, auth: AuthSettings): ClientAuthenticator {
  const ext = extension(host, auth.authenticator);
  if (!isClientAuthenticator(ext))
    throw new Error(`auth: extension "${auth.authenticator}" cannot add credentials to requests`);
  return ext;
}

/** The refusal every authenticator throws; `message` must not repeat the client's credentials. */
export function unauthenticated(message: string): CollectorError {
  return new CollectorError('ERR_UNAUTHENTICATED', message);
}
