import { z } from 'zod';
import { endpoint, str } from './schema.js';

/**
 * Log level spellings accepted beside `debug`, `info`, `warn`, `error`, in any case (the
 * Collector's are upper or lower case; `LOG_LEVEL=warning` and `trace` are common elsewhere).
 * Levels below debug and above error have no lines of their own here.
 */
const LEVEL_ALIASES: Record<string, string> = {
  trace: 'debug',
  warning: 'warn',
  dpanic: 'error',
  panic: 'error',
  fatal: 'error',
};

const lowerCase = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

/** What an editor offers for a level: the spellings `validate` takes, in lower and upper case. */
const LEVEL_SPELLINGS = ['debug', 'info', 'warn', 'error', 'trace', 'warning'].flatMap((l) => [
  l,
  l.toUpperCase(),
]);

/** `service.telemetry`: the collector's own logs and metrics. */
export const telemetrySchema = z.strictObject({
  logs: z
    .strictObject({
      level: z
        .preprocess(
          (v) => {
            const lower = lowerCase(v);
            return typeof lower === 'string' ? (LEVEL_ALIASES[lower] ?? lower) : lower;
          },
          z.enum(['debug', 'info', 'warn', 'error'], {
            error: (i) =>
              `expected one of debug, info, warn, error (any case; trace and warning are read as debug and warn), got ${JSON.stringify(i.input)}`,
          }),
        )
        .meta({ enum: LEVEL_SPELLINGS }),
      /** `json` (the default here) or `console`: one tab-separated line per entry, as the Collector's. */
      encoding: z
        .preprocess(
          lowerCase,
          z.enum(['json', 'console'], {
            error: (i) => `expected json or console, got ${JSON.stringify(i.input)}`,
          }),
        )
        .meta({ enum: ['json', 'console'] }),
    })
    .partial()
    .nullable()
    .optional(),
  metrics: z
    .strictObject({
      level: z.enum(['none', 'basic', 'normal', 'detailed'], {
        error: 'expected one of none, basic, normal, detailed',
      }),
      address: endpoint(),
    })
    .partial()
    .nullable()
    .optional(),
});

export interface TelemetryConfig {
  readonly logs: {
    readonly level: 'debug' | 'info' | 'warn' | 'error';
    readonly encoding: 'json' | 'console';
  };
  readonly metrics: {
    readonly level: 'none' | 'basic' | 'normal' | 'detailed';
    readonly address: string;
  };
}

export const DEFAULT_TELEMETRY: TelemetryConfig = {
  logs: { level: 'info', encoding: 'json' },
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
  pipelines: z.record(z.string(), pipelineSchema.nullable()).optional(),
  telemetry: telemetrySchema.nullable().optional(),
});

export const TOP_LEVEL_KEYS = [
  'receivers',
  'processors',
  'exporters',
  'extensions',
  'connectors',
  'service',
] as const;
