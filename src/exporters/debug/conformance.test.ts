import { describeComponent } from '../../testing/conformance.js';
import { debugExporterFactory } from './factory.js';

describeComponent(debugExporterFactory);
