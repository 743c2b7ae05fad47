/** The outcome of one `doctor` check, in plain words, with what to do when it failed. */
export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
  readonly fix?: string;
}

export const pass = (message: string): CheckResult => ({ ok: true, message });
export const fail = (message: string, fix: string): CheckResult => ({ ok: false, message, fix });

/** One line per check, `✓`/`✗`, and the fix indented under a failure. */
export function formatResult(r: CheckResult): string[] {
  return r.ok ? [`✓ ${r.message}`] : [`✗ ${r.message}`, `    fix: ${r.fix}`];
}
