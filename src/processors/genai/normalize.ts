import type { Span } from '../../pdata/traces.js';
import { plain } from './values.js';
import { fromDifyOtel, isDifyOtel } from './vocab/dify-otel.js';
import { fromOpenInference, isOpenInference } from './vocab/openinference.js';
import { fromGenAiSemconv, fromOpenLlmetry } from './vocab/openllmetry.js';
import { fromVercelAi, isVercelAi } from './vocab/vercel-ai.js';
import { WorkingAttributes } from './working-attributes.js';

/**
 * One span in the canonical vocabulary (docs/semantic-conventions.md). Each source vocabulary
 * is read only when its keys are present; a span that needs nothing comes back as the same
 * object, and a second pass changes nothing.
 */
export function normalizeSpan(span: Span): Span {
  const w = new WorkingAttributes(span.attributes);
  // OpenLLMetry and the GenAI names first: OpenInference claims what is left of `llm.*`.
  if (isDifyOtel(w)) fromDifyOtel(w);
  fromOpenLlmetry(w);
  if (isVercelAi(w)) fromVercelAi(w);
  fromGenAiSemconv(w);
  if (isOpenInference(w)) fromOpenInference(w);
  const attributes = w.result(plain);
  return attributes === span.attributes ? span : { ...span, attributes };
}
