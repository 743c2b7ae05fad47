import type { Component, Host } from '../component/types.js';

/**
 * One link of an exporter's sending chain (house style §5.4): a component that delivers a
 * request or rejects with a classified error (`PermanentError` / `RetryableError`). Wrappers
 * (`withTimeout`, `withRetry`, `withFallback`, `withQueue`) take the next sender and return a
 * sender of the same request type, so they compose in any order `chain.ts` chooses.
 *
 * `signal` aborts the send (shutdown, a timeout further out); a sender that is aborted rejects
 * promptly and leaves the request to whoever holds it.
 */
export interface Sender<T> extends Component {
  send(request: T, signal: AbortSignal): Promise<void>;
}

/** Lifecycle hooks of a sender built from a function. */
export interface SenderLifecycle {
  start?(host: Host): Promise<void>;
  shutdown?(): Promise<void>;
}

/** A sender from a push function; `shutdown` runs once however often it is called. */
export function senderOf<T>(
  send: (request: T, signal: AbortSignal) => Promise<void>,
  lifecycle: SenderLifecycle = {},
): Sender<T> {
  let stopped: Promise<void> | undefined;
  return {
    send,
    async start(host) {
      await lifecycle.start?.(host);
    },
    shutdown() {
      stopped ??= Promise.resolve(lifecycle.shutdown?.());
      return stopped;
    },
  };
}

/**
 * A sender of `U` in front of a sender of `T`: converts each request with `convert` first.
 * `lifecycle` starts after `next` (downstream first) and shuts down after it.
 */
export function mapSender<U, T>(
  next: Sender<T>,
  convert: (request: U, signal: AbortSignal) => T | Promise<T>,
  lifecycle: SenderLifecycle = {},
): Sender<U> {
  return {
    send: async (request, signal) => next.send(await convert(request, signal), signal),
    async start(host) {
      await next.start(host);
      await lifecycle.start?.(host);
    },
    async shutdown() {
      await next.shutdown();
      await lifecycle.shutdown?.();
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
