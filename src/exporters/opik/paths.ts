import type { Logger } from 'pino';
import { type Sender, senderOf } from '../../exporterhelper/sender.js';
import { type DeliveryContext, verdictError } from './deliver.js';
import { probeIdOverrides } from './id-override-probe.js';
import {
  fetchOpikVersion,
  NEWEST_KNOWN_OPIK,
  type OpikEncoding,
  type OpikVersion,
  opikVersion,
} from './opik-version.js';
import { deliverSpansOtlp, splitByPath } from './otlp-delivery.js';
import { PathError } from './path-error.js';
import { type Payload, pending, skipMoved } from './payload.js';
import { deliverSpansRest, deliverTraceRows, removeStandIns } from './rest-delivery.js';
import { deliverUpdates } from './update-delivery.js';

export interface OtlpPathOptions {
  readonly projectName: string;
  /** Whether the project name can travel in the `projectName` header unchanged. */
  readonly headerSafe: boolean;
  readonly detectIdOverrides: boolean;
  /** A negative probe result is trusted this long before probing again. */
  readonly recheckMs: number;
  readonly logger: Logger;
}

type Capability =
  | { readonly usable: true }
  | { readonly usable: false; readonly why: string; readonly at: number };

/** A version answer and when it came. */
interface Learnt {
  readonly version: OpikVersion;
  readonly at: number;
}

/**
 * The primary path: trace rows through REST (Opik creates none for spans carrying
 * `opik.trace_id`), spans over OTLP with their Opik ids in the encoding of this Opik's version,
 * and through REST the few spans whose Opik object OTLP cannot express. Before its first use it
 * asks Opik its version (again every `recheckMs`) and checks that this Opik can be used this way
 * at all; when not, it fails with ERR_EXPORT_ENDPOINT_UNUSABLE and the fallback takes over.
 */
export function otlpPath(ctx: DeliveryContext, o: OtlpPathOptions): Sender<Payload> {
  let capability: Capability | undefined = o.detectIdOverrides ? undefined : { usable: true };
  let probing: Promise<Capability> | undefined;
  let learnt: Learnt | undefined;
  let asking: Promise<Learnt> | undefined;
  const warned = new Set<string>();

  /** This Opik's version, asked once per `recheckMs`; an unknown one is said once in the log. */
  async function encoding(signal: AbortSignal): Promise<OpikEncoding> {
    if (!learnt || ctx.now() - learnt.at >= o.recheckMs) {
      asking ??= fetchOpikVersion(ctx.http, signal)
        .then((reported) => ({ version: opikVersion(reported), at: ctx.now() }))
        .finally(() => {
          asking = undefined;
        });
      learnt = await asking;
      const { version } = learnt;
      if (!version.known && !warned.has(String(version.reported))) {
        warned.add(String(version.reported));
        o.logger.warn(
          { opik_version: version.reported ?? null, written_as: NEWEST_KNOWN_OPIK },
          version.reported === undefined
            ? 'Opik did not tell its version (GET /is-alive/ver); attributes are written as for the newest Opik this collector knows'
            : 'Opik is newer than the newest version this collector knows; attributes are written as for that one',
        );
      }
    }
    return learnt.version.encoding;
  }

  async function check(signal: AbortSignal): Promise<Capability> {
    const result = await probeIdOverrides(ctx.http, o.projectName, ctx.now, signal);
    if (result.kind === 'overrides') return { usable: true };
    if (result.kind === 'no-overrides') {
      return {
        usable: false,
        why: 'this Opik ignores opik.* id overrides (a version before 2.1)',
        at: ctx.now(),
      };
    }
    const { verdict, step } = result;
    const refusedSpan = step === 'otlp' && (verdict.kind === 'split' || verdict.kind === 'reject');
    if (verdict.kind === 'unusable' || refusedSpan) {
      return { usable: false, why: `the probe span was refused: ${verdict.reason}`, at: ctx.now() };
    }
    // Credentials, outages: nothing learnt about the endpoint yet; this attempt fails.
    throw verdictError(verdict, step === 'otlp' ? 'otlp' : 'rest');
  }

  async function ensureUsable(signal: AbortSignal): Promise<void> {
    if (!o.headerSafe) {
      throw new PathError(
        'otlp',
        'ERR_EXPORT_ENDPOINT_UNUSABLE',
        `project name ${JSON.stringify(o.projectName)} cannot travel in the projectName header (not ASCII)`,
      );
    }
    const stale = capability && !capability.usable && ctx.now() - capability.at >= o.recheckMs;
    if (!capability || stale) {
      probing ??= check(signal).finally(() => {
        probing = undefined;
      });
      const before = capability;
      capability = await probing;
      if (!capability.usable && (before === undefined || before.usable)) {
        o.logger.warn(
          { reason: capability.why },
          'Opik’s OTLP endpoint cannot be used; the REST API carries the spans',
        );
      }
    }
    if (!capability.usable)
      throw new PathError('otlp', 'ERR_EXPORT_ENDPOINT_UNUSABLE', capability.why);
  }

  return senderOf(async (payload, signal) => {
    await skipMoved(payload, ctx.knownTraces);
    if (!pending(payload)) return;
    await ensureUsable(signal);
    const encodeAs = await encoding(signal);
    await deliverTraceRows(payload, ctx, signal);
    const { otlp, rest } = splitByPath(payload.spans, encodeAs);
    await deliverSpansOtlp(otlp, encodeAs, payload, ctx, signal);
    await deliverSpansRest(rest, payload, ctx, signal);
    await removeStandIns(payload, ctx, signal);
    await deliverUpdates(payload, ctx, signal);
  });
}

/** The fallback path: everything through Opik's REST batch API. */
export function restPath(ctx: DeliveryContext): Sender<Payload> {
  return senderOf(async (payload, signal) => {
    await skipMoved(payload, ctx.knownTraces);
    if (!pending(payload)) return;
    await deliverTraceRows(payload, ctx, signal);
    await deliverSpansRest(
      payload.spans.filter((s) => !s.done),
      payload,
      ctx,
      signal,
    );
    await removeStandIns(payload, ctx, signal);
    await deliverUpdates(payload, ctx, signal);
  });
}
