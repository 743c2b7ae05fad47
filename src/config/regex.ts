import { MatcherInput, RE2JS } from 're2js';

/**
 * Regular expressions from configs and built-in patterns, with RE2 syntax and semantics as the
 * Collector has them (Go's `regexp`), run by re2js: linear time in the input, whatever the
 * pattern. Every RE2 construct works, inline flags `(?imsU)` and `(?flags:…)` included;
 * anything RE2 refuses (lookaround, backreferences, `(?x)`, `\C`, repeats over 1000) is
 * refused when the config is validated, with RE2's own message.
 */

/** A span of text: UTF-16 offsets, end exclusive. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** One match, and the named groups that took part in it. */
export interface RegexMatch extends TextRange {
  readonly groups: Readonly<Record<string, TextRange>>;
}

/**
 * How much text one search step covers. A step is one DFA pass over the window and at most one
 * NFA pass, a few milliseconds at most on adversarial input, so long values can be scanned in
 * slices that keep the event loop free (see `scan`).
 */
export const SCAN_WINDOW = 64 * 1024;
/** A match ending this close to a window's end may be cut by it: it is looked for again. */
export const SCAN_TAIL = 4 * 1024;

const UNANCHORED = 0;

export class Regex {
  private readonly groupNames: ReadonlyArray<readonly [string, number]>;

  private constructor(
    /** The pattern as written. */
    readonly source: string,
    private readonly re: RE2JS,
  ) {
    this.groupNames = Object.entries(re.namedGroups());
  }

  /** Compiles an RE2 pattern; throws an `Error` with RE2's message when the pattern is invalid. */
  static compile(pattern: string): Regex {
    try {
      return new Regex(pattern, RE2JS.compile(pattern));
    } catch (err) {
      throw new Error((err as Error).message.replace(/^error parsing regexp: /, ''));
    }
  }

  /** True when the pattern matches somewhere in `text` (exact, over the whole text). */
  test(text: string): boolean {
    return this.re.test(text);
  }

  /** True when the pattern matches all of `text`. */
  matchesWhole(text: string): boolean {
    return this.re.testExact(text);
  }

  /** Whether the pattern has named groups (`(?P<name>…)` or `(?<name>…)`). */
  get hasNamedGroups(): boolean {
    return this.groupNames.length > 0;
  }

  /** The first match in `text`, found window by window (see `scan`). */
  firstMatch(text: string): RegexMatch | undefined {
    for (const m of this.scan(text)) if (m) return m;
    return undefined;
  }

  /**
   * Every match in `text`, leftmost first, without overlaps, as Go's `FindAll`. The text is
   * searched in windows of `SCAN_WINDOW` characters; each step of the generator does one
   * window's work and yields a match, or `null` when that window held none, so a caller can
   * pause between steps. Matches are exact except for a match longer than
   * `SCAN_WINDOW - SCAN_TAIL` (60 KiB): it is reported cut at a window's end.
   */
  *scan(text: string): Generator<RegexMatch | null, void, undefined> {
    const re2 = this.re.re2();
    const input = MatcherInput.utf16(text);
    const ngroup = this.groupNames.length > 0 ? 1 + re2.numberOfCapturingGroups() : 1;
    const n = text.length;
    let pos = 0;
    while (pos <= n) {
      const end = Math.min(n, pos + SCAN_WINDOW);
      // A DFA pass first: most windows hold no match, and it is much cheaper than the NFA.
      const [any] = re2.matchWithGroup(input, pos, end, UNANCHORED, 0) as [boolean];
      if (!any) {
        if (end === n) return;
        pos = end - SCAN_TAIL;
        yield null;
        continue;
      }
      const [found, g] = re2.matchWithGroup(input, pos, end, UNANCHORED, ngroup) as [
        boolean,
        number[],
      ];
      if (!found) {
        if (end === n) return;
        pos = end - SCAN_TAIL;
        yield null;
        continue;
      }
      const start = g[0]!;
      const stop = g[1]!;
      if (end < n && stop > end - SCAN_TAIL && start > pos) {
        // The window's end may have cut this match short: search again from its start.
        pos = start;
        continue;
      }
      yield { start, end: stop, groups: this.groupsOf(g) };
      pos = stop === start ? stop + 1 : stop;
    }
  }

  private groupsOf(g: readonly number[]): Record<string, TextRange> {
    if (this.groupNames.length === 0) return NO_GROUPS;
    const out: Record<string, TextRange> = {};
    for (const [name, index] of this.groupNames) {
      const start = g[2 * index];
      const end = g[2 * index + 1];
      if (start !== undefined && start >= 0 && end !== undefined) out[name] = { start, end };
    }
    return out;
  }
}

const NO_GROUPS: Readonly<Record<string, TextRange>> = Object.freeze({});

/** `Regex.compile`, for config code: the name the processors' validators use. */
export function compileRegex(pattern: string): Regex {
  return Regex.compile(pattern);
}

/** The problem with a pattern, or undefined when RE2 accepts it. */
export function regexProblem(pattern: string): string | undefined {
  try {
    Regex.compile(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
