/** A pattern that finds secrets or PII in text; `accept` can veto a match (card numbers: Luhn). */
export interface SecretPattern {
  readonly re: RegExp;
  readonly accept?: (match: string) => boolean;
}

/**
 * The opt-in `builtin_patterns`. Each pattern masks only the secret part of what it matches, so
 * text around it (and JSON around it) survives.
 */
export const BUILTIN_PATTERNS = {
  // Provider API keys: OpenAI/Anthropic style sk-…, Stripe-like sk_/pk_/rk_live_…, AWS access key
  // ids, GitHub tokens, Google API keys, Slack tokens.
  api_keys: [
    { re: /\b(?:sk|pk|rk)-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}/g },
    { re: /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
    { re: /\bAKIA[0-9A-Z]{16}\b/g },
    { re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g },
    { re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
    { re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  ],
  // The credential after "Bearer", and JSON Web Tokens wherever they stand.
  bearer_tokens: [
    { re: /(?<=\bBearer\s+)[A-Za-z0-9\-._~+/]+=*/gi },
    { re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g },
  ],
  emails: [{ re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g }],
  // 13 to 19 digits, optionally grouped by spaces or dashes, that pass the Luhn check.
  card_numbers: [
    { re: /\b\d(?:[ -]?\d){12,18}\b/g, accept: (m: string) => luhn(m.replace(/[ -]/g, '')) },
  ],
} satisfies Record<string, SecretPattern[]>;

export type BuiltinPatternName = keyof typeof BUILTIN_PATTERNS;

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
