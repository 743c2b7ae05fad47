import { z } from 'zod';
import { bool } from '../../config/schema.js';

/** The `genai` processor's settings. */
export const genAiConfigSchema = z.strictObject({
  /** Drop Dify's `api_check` span and the synthetic root its Phoenix provider adds. */
  drop_dify_helper_spans: bool(),
  /** Give Dify Phoenix spans the ids the `dify` envelope receiver gives the same entities. */
  rebuild_dify_ids: bool(),
});

export type GenAiConfig = z.infer<typeof genAiConfigSchema>;

export function createDefaultConfig(): Record<string, unknown> {
  return { drop_dify_helper_spans: true, rebuild_dify_ids: true };
}
