import { describeComponent } from '../../testing/conformance.js';
import { redisStorageExtensionFactory } from './factory.js';

// Nothing listens on port 1: the extension starts anyway, its stores answering from memory.
describeComponent(redisStorageExtensionFactory, { url: 'redis://127.0.0.1:1/0' });
