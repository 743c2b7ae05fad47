/**
 * Moved to `src/opik-ids/` (`dify.ts`, `uuid.ts`); this re-export stays for one merge, then goes.
 */
export { difyUuid7, seedToUuid4 } from '../../../opik-ids/dify.js';
export { formatUuid, uuidHex } from '../../../opik-ids/uuid.js';
