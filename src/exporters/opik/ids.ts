/**
 * Moved to `src/opik-ids/` (`otel.ts`, `uuid.ts`); this re-export stays for one merge (the
 * `opik` receiver imports `newUuidV7` from here), then goes.
 */
export { hexToBytes, opikIdFromOtel } from '../../opik-ids/otel.js';
export { isUuidV7, newUuidV7, uuidV7Timestamp } from '../../opik-ids/uuid.js';
