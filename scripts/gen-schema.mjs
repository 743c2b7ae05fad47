// Writes config/collector.schema.json from the built components (`npm run gen:schema`).
// A test regenerates it in memory and fails when the committed file has drifted.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadBuiltinFactories } from '../dist/components.js';
import { collectorJsonSchema } from '../dist/config/json-schema.js';

const root = new URL('..', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const schema = collectorJsonSchema(await loadBuiltinFactories(), version);
writeFileSync(
  new URL('config/collector.schema.json', root),
  `${JSON.stringify(schema, null, 2)}\n`,
);
