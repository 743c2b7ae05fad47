/**
 * `VariableTruncator.truncate_variable_mapping` (`api/services/variable_truncator.py`, Dify 1.9+)
 * for the values node payloads hold at their top level here: strings, numbers, booleans, null
 * and empty lists or objects. Dify cuts a mapping whose JSON would exceed
 * `WORKFLOW_VARIABLE_TRUNCATION_MAX_SIZE`, keeps the truncated copy in the row and saves the
 * whole payload to storage (`workflow_node_execution_offload`).
 */
export interface TruncationLimits {
  /** `WORKFLOW_VARIABLE_TRUNCATION_MAX_SIZE` (Dify's default 1024000). */
  readonly maxSizeBytes: number;
  /** `WORKFLOW_VARIABLE_TRUNCATION_STRING_LENGTH` (Dify's default 100000). */
  readonly stringLengthLimit: number;
}

interface Part {
  readonly value: unknown;
  readonly size: number;
  readonly truncated: boolean;
}

export function truncateVariableMapping(
  mapping: Record<string, unknown>,
  limits: TruncationLimits,
): { value: Record<string, unknown>; truncated: boolean } {
  const budget = limits.maxSizeBytes;
  const out: Record<string, unknown> = {};
  const length = Object.keys(mapping).length;
  let used = 0;
  let truncated = false;
  for (const [key, value] of Object.entries(mapping)) {
    used += jsonSize(key);
    if (used > budget) {
      out[key] = '...';
      continue;
    }
    const valueBudget = Math.floor((budget - used) / (length - Object.keys(out).length));
    const part = truncatePrimitive(value, valueBudget, limits);
    truncated ||= part.truncated;
    out[key] = part.value;
    used += part.size;
  }
  return { value: out, truncated };
}

function truncatePrimitive(value: unknown, target: number, limits: TruncationLimits): Part {
  if (typeof value === 'string') {
    const size = jsonSize(value);
    if (size < target) return { value, size, truncated: false };
    if (target < 5) return { value: '...', size: 5, truncated: true };
    const cut = `${value.slice(0, Math.min(limits.stringLengthLimit, target - 5))}...`;
    return { value: cut, size: jsonSize(cut), truncated: true };
  }
  const emptyContainer =
    (Array.isArray(value) && value.length === 0) ||
    (value !== null && typeof value === 'object' && Object.keys(value).length === 0);
  if (value === null || typeof value !== 'object' || emptyContainer) {
    return { value, size: jsonSize(value), truncated: false };
  }
  throw new Error('this emulation truncates only strings and scalars');
}

/** `VariableTruncator.calculate_json_size` for the values above. */
function jsonSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return String(value).length;
  if (typeof value === 'boolean') return value ? 4 : 5;
  if (value === null) return 4;
  return 2;
}
