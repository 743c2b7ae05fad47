/**
 * Compiles a regular expression written for the OpenTelemetry Collector (RE2 syntax) as far as
 * JavaScript allows: RE2's named groups `(?P<name>…)` become `(?<name>…)`, and leading inline
 * flags such as `(?i)` become JavaScript flags. Throws the engine's error for anything else.
 */
export function compileRegex(pattern: string, extraFlags = ''): RegExp {
  let body = pattern.replaceAll('(?P<', '(?<');
  let flags = extraFlags;
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1]!.replace('U', '')) if (!flags.includes(f)) flags += f;
  }
  return new RegExp(body, flags);
}
