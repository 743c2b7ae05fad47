import { plainWords } from '../../exporterhelper/plain-words.js';
import { classify } from './classify.js';
import { opikHttpFor } from './client.js';
import type { OpikConfig } from './config.js';
import { toJson } from './values.js';

/** One line of a dead-letter file, as `DeadLetterFile` writes it. */
export interface DeadLetterLine {
  readonly exporter?: string;
  readonly kind: 'span' | 'trace';
  readonly reason?: string;
  readonly item: Record<string, unknown>;
}

export interface ReplayResult {
  readonly sent: number;
  /** Lines Opik refused for good, with its new reason. */
  readonly refused: Array<DeadLetterLine & { readonly reason: string }>;
  /** Set when Opik could take nothing (unreachable, failing, credentials refused): why it stopped. */
  readonly stopped?: string;
}

type Outcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'stop'; readonly reason: string };

/**
 * Re-sends dead-lettered items through Opik's REST batch API with an exporter's settings: trace
 * rows first (spans never create their trace), then spans, up to `max_items_per_request` each.
 * Ids are the ones the items carry, so a replay upserts and never duplicates. A request refused
 * because of an item (400, 422) is split until the item is alone; a failure that is not about
 * the items (no answer, 5xx, 401) stops the replay, since nothing else would get through.
 */
export async function replayDeadLetters(
  config: OpikConfig,
  lines: readonly DeadLetterLine[],
): Promise<ReplayResult> {
  const http = opikHttpFor(config);
  const signal = AbortSignal.timeout(Math.max(config.timeout, 1000) * 10);
  let sent = 0;
  const refused: Array<DeadLetterLine & { reason: string }> = [];

  async function post(kind: 'trace' | 'span', chunk: readonly DeadLetterLine[]): Promise<Outcome> {
    const key = kind === 'trace' ? 'traces' : 'spans';
    const body = toJson({ [key]: chunk.map((l) => l.item) } as never);
    let answer: Awaited<ReturnType<typeof http.postJson>>;
    try {
      answer = await http.postJson(`/v1/private/${key}/batch`, body, signal);
    } catch (err) {
      return { kind: 'stop', reason: plainWords(err) };
    }
    const verdict = classify(answer, 'rest', Date.now());
    if (verdict.kind === 'ok') return { kind: 'sent' };
    if (verdict.kind === 'split' || verdict.kind === 'reject')
      return { kind: 'refused', reason: verdict.reason };
    return { kind: 'stop', reason: plainWords(new Error(`Opik answered ${verdict.reason}`)) };
  }

  /** Sends `chunk`, halving it around a refused item; the reason when the replay must stop. */
  async function send(
    kind: 'trace' | 'span',
    chunk: readonly DeadLetterLine[],
  ): Promise<string | undefined> {
    const outcome = await post(kind, chunk);
    if (outcome.kind === 'sent') sent += chunk.length;
    else if (outcome.kind === 'stop') return outcome.reason;
    else if (chunk.length === 1)
      refused.push({ ...chunk[0]!, reason: `replay: ${outcome.reason}` });
    else {
      const half = Math.ceil(chunk.length / 2);
      return (await send(kind, chunk.slice(0, half))) ?? send(kind, chunk.slice(half));
    }
    return undefined;
  }

  try {
    for (const kind of ['trace', 'span'] as const) {
      const items = lines.filter((l) => l.kind === kind);
      for (let i = 0; i < items.length; i += config.max_items_per_request) {
        const stopped = await send(kind, items.slice(i, i + config.max_items_per_request));
        if (stopped !== undefined) return { sent, refused, stopped };
      }
    }
  } finally {
    await http.close();
  }
  return { sent, refused };
}
