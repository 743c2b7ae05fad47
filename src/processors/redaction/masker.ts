import type { SecretPattern } from './builtin-patterns.js';

export const MASK = '****';

/** Masks every match of the patterns in a text, unless the match is on the allow list. */
export class Masker {
  constructor(
    private readonly patterns: readonly SecretPattern[],
    private readonly allowed: readonly RegExp[],
  ) {}

  get active(): boolean {
    return this.patterns.length > 0;
  }

  /** The masked text and how many matches were masked (0: the input is returned as is). */
  mask(text: string): { text: string; count: number } {
    let count = 0;
    let out = text;
    for (const p of this.patterns) {
      out = out.replace(p.re, (match) => {
        if ((p.accept && !p.accept(match)) || this.allowed.some((a) => a.test(match))) return match;
        count++;
        return MASK;
      });
    }
    return count === 0 ? { text, count } : { text: out, count };
  }

  /**
   * Masks the string leaves of JSON text and writes it back, so the result stays valid JSON
   * whatever a pattern matches; text that is not JSON is masked as plain text.
   */
  maskJsonText(text: string): { text: string; count: number } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.mask(text);
    }
    let count = 0;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const r = this.mask(v);
        count += r.count;
        return r.text;
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      }
      return v;
    };
    const masked = walk(parsed);
    return count === 0 ? { text, count } : { text: JSON.stringify(masked), count };
  }
}
