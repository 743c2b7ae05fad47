import { z } from 'zod';
import type { AnyFactory, Kind } from '../component/types.js';
import { serviceSchema } from './service.js';

type Node = Record<string, unknown>;

const SECTIONS: ReadonlyArray<readonly [string, Kind]> = [
  ['receivers', 'receiver'],
  ['processors', 'processor'],
  ['exporters', 'exporter'],
  ['extensions', 'extension'],
];

/** Durations as the Collector writes them (`200ms`, `5s`, `1m30s`) or `0`. */
const DURATION = { type: 'string', pattern: '^(0|(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+)$' };
/** A value that comes from the environment (`${env:VAR}`), which only `validate` can check. */
const ENV_REFERENCE = { type: 'string', pattern: '\\$\\{' };

/**
 * The JSON Schema of collector.yaml, generated from the components' config schemas, so editors
 * complete and check the file. It describes what a user writes: every key is optional (defaults
 * fill in, shown as `default`), durations are strings, and any scalar may be an `${env:...}`
 * reference. `dify-opik-collector validate` stays the authority on cross-field rules.
 */
export function collectorJsonSchema(factories: readonly AnyFactory[], version: string): Node {
  const properties: Node = {};
  for (const [section, kind] of SECTIONS) {
    const patternProperties: Node = {};
    for (const f of factories.filter((x) => x.kind === kind)) {
      patternProperties[`^${f.type}(/[^\\s/]+)?$`] = {
        ...generated(f.configSchema as z.ZodType),
        description: `${kind} "${f.type}" (${f.stability})`,
        default: f.createDefaultConfig(),
      };
    }
    properties[section] = { type: 'object', patternProperties, additionalProperties: false };
  }
  properties.connectors = { type: 'object', maxProperties: 0, description: 'not supported' };
  properties.service = generated(serviceSchema);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/dify-opik-collector/dify-opik-collector/config/collector.schema.json',
    title: `dify-opik-collector ${version} configuration`,
    type: 'object',
    properties,
    additionalProperties: false,
  };
}

function generated(schema: z.ZodType): Node {
  const node = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Node;
  delete node.$schema;
  return relax(node);
}

/** The user's view of a generated schema: optional keys, string durations, env references. */
function relax(node: Node): Node {
  if (node.format === 'duration') return { anyOf: [DURATION, { const: 0 }, ENV_REFERENCE] };
  const out: Node = { ...node };
  delete out.required;
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Node).map(([k, v]) => [k, relax(v as Node)]),
    );
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    if (out[key] && typeof out[key] === 'object') out[key] = relax(out[key] as Node);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(out[key])) out[key] = (out[key] as Node[]).map(relax);
  }
  if (out.type === 'integer' || out.type === 'number' || out.type === 'boolean') {
    return { anyOf: [out, ENV_REFERENCE] };
  }
  if (out.type === 'string' && out.pattern === undefined && out.enum === undefined) return out;
  if (Array.isArray(out.enum)) return { anyOf: [out, ENV_REFERENCE] };
  if (out.type === 'object' && out.properties) return { anyOf: [out, { type: 'null' }] };
  return out;
}
