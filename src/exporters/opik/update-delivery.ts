import { classify } from './classify.js';
import { type DeliveryContext, verdictError } from './deliver.js';
import type { Payload } from './payload.js';
import { toJson } from './values.js';

/**
 * Sends the payload's updates (PATCHes the `opik` receiver took in) one by one, in order, after
 * its creates: `PATCH /v1/private/{traces|spans}/{id}`. An update Opik refuses for good (400,
 * 409, 422) is dead-lettered as `trace_update`/`span_update` (`replay` does not re-send those:
 * an update needs its object); any other failure fails the attempt, and the retry sends only the
 * updates not yet applied.
 */
export async function deliverUpdates(
  payload: Payload,
  ctx: DeliveryContext,
  signal: AbortSignal,
): Promise<void> {
  for (const u of payload.updates) {
    if (u.done) continue;
    const path = `/v1/private/${u.entity === 'trace' ? 'traces' : 'spans'}/${u.id}`;
    const verdict = classify(
      await ctx.http.patchJson(path, toJson(u.body), signal),
      'rest',
      ctx.now(),
    );
    if (verdict.kind === 'ok') {
      u.done = true;
      continue;
    }
    if (verdict.kind !== 'split' && verdict.kind !== 'reject') throw verdictError(verdict, 'rest');
    await ctx.deadLetter([{ kind: `${u.entity}_update`, reason: verdict.reason, item: u.body }]);
    u.done = true;
    ctx.metrics.deadLettered(u.entity, 1);
  }
}
