import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeComponent } from '../../testing/conformance.js';
import { difyQueueReceiverFactory } from './factory.js';

// Nothing listens on port 1: the receiver starts anyway and keeps trying in the background.
describeComponent(difyQueueReceiverFactory, {
  redis: { url: 'redis://127.0.0.1:1/1', queue: 'ops_trace' },
  storage: { type: 'opendal', scheme: 'fs', root: mkdtempSync(join(tmpdir(), 'dify-queue-')) },
  database: { url: 'postgres://postgres:x@127.0.0.1:1/dify' },
});
