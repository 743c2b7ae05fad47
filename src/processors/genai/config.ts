import { z } from 'zod';
import { bool, duration, int, str } from '../../config/schema.js';

/** The `genai` processor's settings. */
export const genAiConfigSchema = z.strictObject({
  /** Drop Dify's bookkeeping spans: `api_check`, synthetic roots, loop/iteration wrappers. */
  drop_dify_helper_spans: bool(),
  /** Read Dify's Phoenix and Aliyun spans back into Dify's entities and map them as `dify` does. */
  rebuild_dify_ids: bool(),
  /** How spans of Dify's providers wait for the span that names their run or message. */
  dify_hold: z.strictObject({
    /** Longest wait, counted from a trace's first span; then what waits goes on without it. */
    wait_duration: duration().refine((ms) => ms > 0, { error: 'must be longer than 0' }),
    /** Most OTel traces held at once; beyond it the oldest gives up early. */
    num_traces: int({ min: 1 }),
    /** Most memory the held spans may take (estimated); beyond it the oldest give up early. */
    limit_mib: int({ min: 1 }),
    /** Runs and messages remembered for spans that arrive after them (least recently used out). */
    anchor_cache_size: int({ min: 1 }),
    /** How long a run or message is remembered. */
    anchor_ttl: duration().refine((ms) => ms > 0, { error: 'must be longer than 0' }),
    /** A storage extension (`file_storage`) keeping held spans over a crash; memory only without. */
    storage: str().optional(),
  }),
});

export type GenAiConfig = z.infer<typeof genAiConfigSchema>;
export type DifyHoldConfig = GenAiConfig['dify_hold'];

export function createDefaultConfig(): Record<string, unknown> {
  return {
    drop_dify_helper_spans: true,
    rebuild_dify_ids: true,
    dify_hold: {
      wait_duration: '2m',
      num_traces: 10_000,
      limit_mib: 64,
      anchor_cache_size: 20_000,
      anchor_ttl: '1h',
    },
  };
}
