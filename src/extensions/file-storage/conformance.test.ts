import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeComponent } from '../../testing/conformance.js';
import { fileStorageExtensionFactory } from './factory.js';

describeComponent(fileStorageExtensionFactory, {
  directory: join(mkdtempSync(join(tmpdir(), 'fs-')), 'd'),
});
