/** Milliseconds as Go prints a `time.Duration`: `750ms`, `42.5s`, `3m0.25s`, `2h0m5s`. */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = (total % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** A duration for a sentence: whole seconds from one second on (`1m35s`, not `1m35.412s`). */
export function roughDuration(ms: number): string {
  return goDuration(ms < 1000 ? ms : Math.round(ms / 1000) * 1000);
}
