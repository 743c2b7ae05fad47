import { type Json, RawJson, toJson } from './values.js';

/**
 * `toJson`'s text for values of any depth: the same output, written with an explicit stack when
 * the value nests deeper than the call stack allows (a string attribute holding JSON nested
 * thousands of levels deep, which Opik's reading of such text turns into a value).
 */
export function toJsonAnyDepth(value: Json | undefined): string {
  try {
    return toJson(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return writeIteratively(value);
  }
}

type Frame =
  | { readonly kind: 'array'; readonly items: readonly Json[]; next: number }
  | { readonly kind: 'object'; readonly entries: Array<[string, Json]>; next: number };

function writeIteratively(root: Json | undefined): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  /** Writes a scalar, or opens a container (its frame then writes the contents). */
  const open = (v: Json | undefined) => {
    if (v === null || v === undefined || typeof v !== 'object' || v instanceof RawJson) {
      out.push(toJson(v));
    } else if (Array.isArray(v)) {
      out.push('[');
      stack.push({ kind: 'array', items: v, next: 0 });
    } else {
      out.push('{');
      const entries = Object.entries(v).filter((e): e is [string, Json] => e[1] !== undefined);
      stack.push({ kind: 'object', entries, next: 0 });
    }
  };
  open(root);
  while (stack.length > 0) {
    const f = stack.at(-1)!;
    const size = f.kind === 'array' ? f.items.length : f.entries.length;
    if (f.next >= size) {
      out.push(f.kind === 'array' ? ']' : '}');
      stack.pop();
      continue;
    }
    if (f.next > 0) out.push(',');
    const i = f.next++;
    if (f.kind === 'array') open(f.items[i]);
    else {
      out.push(`${JSON.stringify(f.entries[i]![0])}:`);
      open(f.entries[i]![1]);
    }
  }
  return out.join('');
}
