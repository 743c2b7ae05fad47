import { readFileSync } from 'node:fs';
import { isScalar, isSeq, isMap as isYamlMap, LineCounter, type Node, parseDocument } from 'yaml';
import { CollectorError } from '../errors/errors.js';
import { Locations } from './location.js';
import { deepMerge, isMap } from './merge.js';

export interface LoadedConfig {
  /** The merged configuration, before `${env:...}` expansion. */
  readonly raw: Record<string, unknown>;
  readonly locations: Locations;
}

/**
 * Reads the `--config` files in order and applies the `--set` overrides after them, as the
 * Collector does: maps merge, lists replace. Records the line of every key for error messages.
 */
export function loadConfig(files: readonly string[], sets: readonly string[] = []): LoadedConfig {
  const locations = new Locations();
  let raw: unknown = {};
  for (const file of files) {
    raw = deepMerge(raw, readYamlFile(file, locations));
  }
  for (const set of sets) {
    raw = deepMerge(raw, parseSetFlag(set, locations));
  }
  if (!isMap(raw)) raw = {};
  return { raw: raw as Record<string, unknown>, locations };
}

/** Parses YAML text (one source) into plain values, recording key lines under `file`. */
export function parseYamlSource(text: string, file: string, locations: Locations): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    throw new CollectorError(
      'ERR_CONFIG_READ',
      `${file}${line ? `:${line}` : ''}: invalid YAML: ${problem.message.split('\n')[0]}`,
    );
  }
  recordLines(doc.contents, [], file, lineCounter, locations);
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (value === null || value === undefined) return {};
  if (!isMap(value)) {
    throw new CollectorError('ERR_CONFIG_READ', `${file}: the top level must be a map of sections`);
  }
  return value;
}

function readYamlFile(file: string, locations: Locations): unknown {
  const path = file.startsWith('file:') ? file.slice('file:'.length) : file;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    throw new CollectorError('ERR_CONFIG_READ', `cannot read config file ${path}: ${reason}`, {
      cause: err,
    });
  }
  return parseYamlSource(text, path, locations);
}

function recordLines(
  node: Node | null | undefined,
  path: string[],
  file: string,
  lines: LineCounter,
  locations: Locations,
): void {
  if (isYamlMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyPath = [...path, key];
      const offset = (pair.key as Node | null)?.range?.[0];
      locations.set(keyPath, {
        file,
        line: offset === undefined ? undefined : lines.linePos(offset).line,
      });
      recordLines(pair.value as Node | null, keyPath, file, lines, locations);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const offset = (item as Node | null)?.range?.[0];
      const itemPath = [...path, String(i)];
      if (offset !== undefined) locations.set(itemPath, { file, line: lines.linePos(offset).line });
      recordLines(item as Node | null, itemPath, file, lines, locations);
    });
  }
}

/**
 * `--set receivers::otlp::protocols::http::endpoint=127.0.0.1:5000` as a one-key config. The
 * value stays a string (fields that want numbers accept numeric strings) unless it is a YAML
 * flow list or map (`[a,b]`, `{k: v}`); an empty value is null.
 */
export function parseSetFlag(flag: string, locations: Locations): Record<string, unknown> {
  const eq = flag.indexOf('=');
  if (eq <= 0) {
    throw new CollectorError('ERR_CONFIG_READ', `--set ${flag}: expected key::path=value`);
  }
  const keys = flag.slice(0, eq).split('::');
  if (keys.some((k) => k === '')) {
    throw new CollectorError('ERR_CONFIG_READ', `--set ${flag}: empty key in path`);
  }
  const text = flag.slice(eq + 1);
  let value: unknown = text;
  if (text === '') value = null;
  else if (/^\s*[[{]/.test(text)) {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      throw new CollectorError('ERR_CONFIG_READ', `--set ${flag}: invalid YAML value`);
    }
    value = doc.toJS() as unknown;
  }
  locations.set(keys, { file: '--set' });
  let out: unknown = value;
  for (let i = keys.length - 1; i >= 0; i--) out = { [keys[i]!]: out };
  return out as Record<string, unknown>;
}
