import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinComponents, loadBuiltinFactories, loadFactoriesFor } from './components.js';

const configFile = (yaml: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'components-')), 'collector.yaml');
  writeFileSync(file, yaml);
  return file;
};
const names = (factories: ReadonlyArray<{ kind: string; type: string }>) =>
  factories.map((f) => `${f.kind}:${f.type}`);

describe('builtin components', () => {
  it('load the factory of the kind and type they are listed under', async () => {
    const factories = await loadBuiltinFactories();
    expect(names(factories)).toEqual(names(builtinComponents));
    expect(new Set(names(factories)).size).toBe(factories.length);
  });

  it('a configuration loads the factories of the types it names only', async () => {
    const file = configFile(`
receivers:
  otlp:
  otlp/2:
processors:
  batch:
exporters:
  opik:
  debug/unused:
service:
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [opik] }
`);
    const factories = await loadFactoriesFor([file], ['extensions::file_storage::fsync=true']);
    expect(names(factories).sort()).toEqual([
      'exporter:debug',
      'exporter:opik',
      'extension:file_storage',
      'processor:batch',
      'receiver:otlp',
    ]);
  });

  it('all of them when the configuration names an unknown type or cannot be read', async () => {
    const all = names(builtinComponents);
    const unknown = configFile('receivers:\n  otlp:\n  nope:\nprocessors:\n  toString:\n');
    expect(names(await loadFactoriesFor([unknown], []))).toEqual(all);
    expect(names(await loadFactoriesFor(['/nonexistent/collector.yaml'], []))).toEqual(all);
  });
});
