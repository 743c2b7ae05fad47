import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeComponent } from '../../testing/conformance.js';
import { fileExporterFactory } from './factory.js';

describeComponent(fileExporterFactory, {
  path: join(mkdtempSync(join(tmpdir(), 'file-exporter-')), 'traces.json'),
});
