import { z } from 'zod';
import { int } from '../config/schema.js';
import type { DecodeLimits } from '../otlp/limits.js';

const MiB = 1024 * 1024;

/**
 * `limits:` of a receiver: how much one request may make the collector do. The Collector has no
 * such settings (its receivers take whatever fits in `max_request_body_size`); the defaults
 * follow the OTel SDKs' span limits where they have one (128 attributes) and are otherwise set
 * far above what real traces carry, so only abusive or broken input meets them.
 */
export const requestLimitsSchema = z.preprocess(
  (v) => (v === null || v === undefined ? {} : v),
  z.strictObject({
    /** More spans in one request: 413 (`ERR_TOO_MANY_SPANS`), nothing kept. */
    max_spans_per_request: int({ min: 1 }).default(16_384),
    /** Per span, event, link, resource and scope; the rest dropped and counted in `dropped_attributes_count`. */
    max_attributes_per_span: int({ min: 1 }).default(128),
    /** Longer strings (attribute values and keys, span and event names) and bytes values are cut. */
    max_attribute_value_length: int({ min: 1 }).default(MiB),
    /** Array and map values keep this many elements. */
    max_array_length: int({ min: 1 }).default(10_000),
    /** Deeper nesting inside a value refuses the request (400); for `dify`, of one item's JSON. */
    max_depth: int({ min: 1, max: 128 }).default(64),
  }),
);

export type RequestLimits = z.infer<typeof requestLimitsSchema>;

export function decodeLimits(l: RequestLimits): DecodeLimits {
  return {
    maxSpans: l.max_spans_per_request,
    maxAttributes: l.max_attributes_per_span,
    maxValueLength: l.max_attribute_value_length,
    maxArrayLength: l.max_array_length,
    maxDepth: l.max_depth,
  };
}
