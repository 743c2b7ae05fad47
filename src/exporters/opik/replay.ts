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
  /** Lines Opik still refused, with the new reason. */
  readonly failed: Array<DeadLetterLine & { readonly reason: string }>;
}

/**
 * Re-sends dead-lettered items through Opik's REST batch API with an exporter's settings: trace
 * rows first (spans never create their trace), then spans, up to `max_items_per_request` each.
 * Ids are the ones the items carry, so a replay upserts and never duplicates.
 */
export async function replayDeadLetters(
  config: OpikConfig,
  lines: readonly DeadLetterLine[],
): Promise<ReplayResult> {
  const http = opikHttpFor(config);
  const signal = AbortSignal.timeout(Math.max(config.timeout, 1000) * 10);
  let sent = 0;
  const failed: Array<DeadLetterLine & { reason: string }> = [];
  try {
    for (const kind of ['trace', 'span'] as const) {
      const items = lines.filter((l) => l.kind === kind);
      for (let i = 0; i < items.length; i += config.max_items_per_request) {
        const chunk = items.slice(i, i + config.max_items_per_request);
        const key = kind === 'trace' ? 'traces' : 'spans';
        const body = toJson({ [key]: chunk.map((l) => l.item) } as never);
        const answer = await http
          .postJson(`/v1/private/${key}/batch`, body, signal)
          .catch((err: unknown) => ({ status: 0, body: (err as Error).message }));
        if (answer.status >= 200 && answer.status < 300) sent += chunk.length;
        else {
          const reason = `replay: ${answer.status === 0 ? 'no answer' : `HTTP ${answer.status}`}: ${answer.body}`;
          for (const l of chunk) failed.push({ ...l, reason });
        }
      }
    }
  } finally {
    await http.close();
  }
  return { sent, failed };
}
