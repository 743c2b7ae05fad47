import { describe, expect, it } from 'vitest';
import type { AnyFactory, Component } from '../component/types.js';
import { makeSpan, makeTraces } from '../pdata/span.js';
import { TestHost, testSettings } from './settings.js';
import { TracesSink } from './sink.js';

/**
 * The checks every component passes (the Collector's generated component test): its type is
 * lower_snake_case, its defaults plus `minimalConfig` parse, it shuts down without being started,
 * it starts, consumes and shuts down, and a second shutdown is harmless.
 */
export function describeComponent(
  factory: AnyFactory,
  minimalConfig: Record<string, unknown> = {},
): void {
  describe(`${factory.kind} "${factory.type}" conformance`, () => {
    const parse = () =>
      factory.configSchema.parse({ ...factory.createDefaultConfig(), ...minimalConfig }) as unknown;
    const create = (): Component & { consume?: (t: unknown) => Promise<void> } => {
      const settings = testSettings(factory.kind, factory.type, 'traces');
      const config = parse();
      switch (factory.kind) {
        case 'receiver':
        case 'processor':
          return factory.create(settings, config, new TracesSink());
        case 'exporter':
        case 'extension':
          return factory.create(settings, config);
      }
    };

    it('has a lower_snake_case type', () => {
      expect(factory.type).toMatch(/^[a-z][a-z0-9_]*$/);
    });

    it('parses its defaults with the minimal config', () => {
      expect(parse).not.toThrow();
      expect(factory.validate?.(parse() as never) ?? []).toEqual([]);
    });

    it('shuts down without being started', async () => {
      await expect(create().shutdown()).resolves.toBeUndefined();
    });

    it('starts, consumes, and shuts down twice', async () => {
      const component = create();
      await component.start(new TestHost());
      if (component.consume) {
        await component.consume(
          makeTraces([
            makeSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'conformance' }),
          ]),
        );
      }
      await component.shutdown();
      await component.shutdown();
    });
  });
}
