import { z } from 'zod';
import { endpoint, str } from './schema.js';

/** `service.telemetry`: the collector's own logs and metrics. */
export const telemetrySchema = z.strictObject({
  logs: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error'], {
        error: 'expected one of debug, info, warn, error',
      }),
      encoding: z.enum(['json']).optional(),
    })
    .partial()
    .optional(),
  metrics: z
    .strictObject({
      level: z.enum(['none', 'basic', 'normal', 'detailed'], {
        error: 'expected one of none, basic, normal, detailed',
      }),
      address: endpoint(),
    })
    .partial()
    .optional(),
});

export interface TelemetryConfig {
  readonly logs: { readonly level: 'debug' | 'info' | 'warn' | 'error' };
  readonly metrics: {
    readonly level: 'none' | 'basic' | 'normal' | 'detailed';
    readonly address: string;
  };
}

export const DEFAULT_TELEMETRY: TelemetryConfig = {
  logs: { level: 'info' },
  metrics: { level: 'normal', address: '127.0.0.1:8888' },
};

const idList = z.array(str(), { error: 'expected a list of component ids' });

export const pipelineSchema = z.strictObject({
  receivers: idList.optional(),
  processors: idList.optional(),
  exporters: idList.optional(),
});

export const serviceSchema = z.strictObject({
  extensions: idList.optional(),
  pipelines: z.record(z.string(), z.union([pipelineSchema, z.null()])).optional(),
  telemetry: z.union([telemetrySchema, z.null()]).optional(),
});

export const TOP_LEVEL_KEYS = [
  'receivers',
  'processors',
  'exporters',
  'extensions',
  'connectors',
  'service',
] as const;
