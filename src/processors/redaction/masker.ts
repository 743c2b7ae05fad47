import type { Regex, TextRange } from '../../config/regex.js';
import type { Pacer } from '../../pipeline/pacer.js';
import type { SecretPattern } from './builtin-patterns.js';

export const MASK = '****';

export interface Masked {
  readonly text: string;
  readonly count: number;
}

/**
 * Masks every match of the patterns in a text, unless the masked part equals one of the allowed
 * values. Long texts are scanned window by window (`Regex.scan`) and the pacer lets the event
 * loop run between windows, so no value, however long, holds the loop for long.
 */
export class Masker {
  constructor(
    private readonly patterns: readonly SecretPattern[],
    private readonly allowed: readonly Regex[],
  ) {}

  get active(): boolean {
    return this.patterns.length > 0;
  }

  /** The masked text and how many matches were masked (0: the input is returned as is). */
  async mask(text: string, pacer: Pacer): Promise<Masked> {
    let count = 0;
    let out = text;
    for (const p of this.patterns) {
      const ranges: TextRange[] = [];
      for (const m of p.re.scan(out)) {
        if (m) {
          const secret = p.group === undefined ? m : m.groups[p.group];
          if (
            secret &&
            secret.end > secret.start &&
            this.masks(p, out.slice(secret.start, secret.end))
          )
            ranges.push(secret);
        }
        await pacer.step();
      }
      if (ranges.length === 0) continue;
      count += ranges.length;
      out = replaceRanges(out, ranges);
    }
    return count === 0 ? { text, count } : { text: out, count };
  }

  /**
   * Masks the string leaves of JSON text and writes it back, so the result stays valid JSON
   * whatever a pattern matches; text that is not JSON is masked as plain text.
   */
  async maskJsonText(text: string, pacer: Pacer): Promise<Masked> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.mask(text, pacer);
    }
    let count = 0;
    const walk = async (v: unknown, depth: number): Promise<unknown> => {
      if (typeof v === 'string') {
        const r = await this.mask(v, pacer);
        count += r.count;
        return r.text;
      }
      if (depth > MAX_JSON_DEPTH) throw new TooDeep();
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (const x of v) out.push(await walk(x, depth + 1));
        return out;
      }
      if (v !== null && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) defineEntry(out, k, await walk(x, depth + 1));
        return out;
      }
      return v;
    };
    let masked: unknown;
    try {
      masked = await walk(parsed, 0);
    } catch (err) {
      // JSON nested deeper than any real payload: masked as plain text instead.
      if (err instanceof TooDeep) return this.mask(text, pacer);
      throw err;
    }
    return count === 0 ? { text, count } : { text: JSON.stringify(masked), count };
  }

  private masks(p: SecretPattern, secret: string): boolean {
    if (p.accept && !p.accept(secret)) return false;
    return !this.allowed.some((a) => a.matchesWhole(secret));
  }
}

/** JSON text nested deeper than this is masked as plain text (no recursion that deep). */
const MAX_JSON_DEPTH = 128;

class TooDeep extends Error {}

/** Sets a key as JSON.parse would, `__proto__` included (as an own property). */
function defineEntry(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else o[key] = value;
}

function replaceRanges(text: string, ranges: readonly TextRange[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const r of ranges) {
    parts.push(text.slice(at, r.start), MASK);
    at = r.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
