import { Regex } from '../../config/regex.js';

/**
 * A pattern that finds secrets or PII in text. `group`, when set, is the capture group that holds
 * the secret (only it is masked); `accept` can veto a match (card numbers: Luhn).
 */
export interface SecretPattern {
  readonly re: Regex;
  readonly group?: string;
  readonly accept?: (match: string) => boolean;
}

/**
 * The opt-in `builtin_patterns`, in RE2 syntax like every configured pattern (linear time on any
 * input). Each masks only the secret part of what it matches, so text around it (and JSON around
 * it) survives.
 */
export const BUILTIN_PATTERN_SOURCES = {
  // Provider API keys: OpenAI/Anthropic style sk-…, Stripe-like sk_/pk_/rk_live_…, AWS access key
  // ids, GitHub tokens, Google API keys, Slack tokens.
  api_keys: [
    { source: String.raw`\b(?:sk|pk|rk)-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}` },
    { source: String.raw`\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}` },
    { source: String.raw`\bAKIA[0-9A-Z]{16}\b` },
    { source: String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}\b` },
    { source: String.raw`\bAIza[0-9A-Za-z_-]{35}\b` },
    { source: String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}` },
  ],
  // The credential after "Bearer" (only the credential is masked), and JSON Web Tokens.
  bearer_tokens: [
    { source: String.raw`(?i)\bBearer\s+(?P<secret>[A-Za-z0-9\-._~+/]+=*)`, group: 'secret' },
    { source: String.raw`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}` },
  ],
  emails: [
    { source: String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}` },
  ],
  // 13 to 19 digits, optionally grouped by spaces or dashes, that pass the Luhn check.
  card_numbers: [
    {
      source: String.raw`\b\d(?:[ -]?\d){12,18}\b`,
      accept: (m: string) => luhn(m.replace(/[ -]/g, '')),
    },
  ],
} satisfies Record<
  string,
  Array<{ source: string; group?: string; accept?: (m: string) => boolean }>
>;

export type BuiltinPatternName = keyof typeof BUILTIN_PATTERN_SOURCES;

export const BUILTIN_PATTERNS: Record<BuiltinPatternName, SecretPattern[]> = Object.fromEntries(
  Object.entries(BUILTIN_PATTERN_SOURCES).map(([name, list]) => [
    name,
    list.map(({ source, ...rest }) => ({ re: Regex.compile(source), ...rest })),
  ]),
) as Record<BuiltinPatternName, SecretPattern[]>;

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}
