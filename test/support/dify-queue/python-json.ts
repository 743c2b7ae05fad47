/**
 * Python's serialisations, where a test must write bytes exactly as Dify's Python does:
 * `json.dumps` with its defaults (kombu's message and body, Dify's truncated node columns), and
 * `repr` of the simple values Celery puts in `argsrepr`.
 */

/** `json.dumps(value)`: separators `, ` and `: `, non-ASCII as `\uXXXX`, keys in insertion order. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`json.dumps writes no ${value} here`);
    return Number.isInteger(value) ? String(value) : pythonFloat(value);
  }
  if (typeof value === 'string') return asciiString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${asciiString(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  }
  throw new Error(`json.dumps cannot write ${typeof value}`);
}

/** Python's `repr(float)`: the shortest round-trip digits, always with a `.` or an exponent. */
function pythonFloat(n: number): string {
  const s = String(n);
  if (/e/.test(s)) {
    const [m, e] = s.split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return s.includes('.') ? s : `${s}.0`;
}

function asciiString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `repr()` of a str, dict of str, or tuple of them, as Celery's `saferepr` writes `argsrepr`. */
export function pythonRepr(value: unknown, tuple = false): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) {
    const items = value.map((v) => pythonRepr(v));
    return tuple
      ? `(${items.join(', ')}${items.length === 1 ? ',' : ''})`
      : `[${items.join(', ')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
  throw new Error(`no repr here for ${typeof value}`);
}

/**
 * The same JSON text without the whitespace between tokens: what pydantic's `model_dump_json()`
 * writes, from a pretty-printed copy of it (strings and numbers are kept byte for byte).
 */
export function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i]!;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') out += ch;
  }
  return out;
}
