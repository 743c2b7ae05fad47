/**
 * Moved to `src/opik-ids/dify.ts`; this re-export stays for one merge (the `genai` processor
 * imports it), then goes.
 */
export { spanIdFor, traceIdFor, traceIdFromSeed } from '../../../opik-ids/dify.js';
