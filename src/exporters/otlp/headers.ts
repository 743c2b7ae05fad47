import { z } from 'zod';
import { str } from '../../config/schema.js';

const pairs = z.array(z.strictObject({ name: str(), value: str() }));

/**
 * `headers`, as the Collector's `configopaque.MapList`: a map of name to value, or a list of
 * `{name, value}` pairs; names are unique (case-insensitively, as HTTP and gRPC compare them).
 * Parsed to a map with lower-case names. Values are secrets to `print-config`.
 */
export const headersSchema = z
  .union([z.record(z.string(), str()), pairs], {
    error: 'expected a map of header names to values, or a list of {name, value}',
  })
  .transform((v, ctx) => {
    const list = Array.isArray(v) ? v : Object.entries(v).map(([name, value]) => ({ name, value }));
    const out: Record<string, string> = {};
    for (const { name, value } of list) {
      const key = name.toLowerCase();
      if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) {
        ctx.addIssue({ code: 'custom', message: `"${name}" is not a valid header name` });
        continue;
      }
      if (/[\r\n]/.test(value) || value.includes('\0')) {
        ctx.addIssue({
          code: 'custom',
          message: `header "${name}": a value cannot hold CR, LF or NUL`,
        });
      }
      if (key in out) ctx.addIssue({ code: 'custom', message: `duplicate header "${name}"` });
      out[key] = value;
    }
    return out;
  });

export type Headers = z.infer<typeof headersSchema>;

/** Issues for configured headers that the exporter or its transport writes itself. */
export function reservedHeaderIssues(
  headers: Headers,
  reserved: (name: string) => boolean,
): Array<{ path: string; message: string }> {
  return Object.keys(headers)
    .filter(reserved)
    .map((name) => ({
      path: `headers::${name}`,
      message: `"${name}" is set by the exporter or its transport and cannot be configured`,
    }));
}
