import type { AnyFactory } from '../../component/types.js';
import { loadConfig } from '../../config/load.js';
import { type ResolvedConfig, resolveConfig } from '../../config/resolve.js';
import { CollectorError, ConfigError, formatIssue } from '../../errors/errors.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Loads and resolves a config, printing every problem; returns undefined when it is invalid. */
export function loadAndReport(
  configs: readonly string[],
  sets: readonly string[],
  factories: readonly AnyFactory[],
  io: Output,
): ResolvedConfig | undefined {
  if (configs.length === 0) {
    io.err('error: no config given; pass --config FILE (for example --config collector.yaml)');
    return undefined;
  }
  try {
    return resolveConfig(loadConfig(configs, sets), factories);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(
        `invalid configuration: ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}`,
      );
      for (const issue of err.issues) io.err(`  ${formatIssue(issue)}`);
      return undefined;
    }
    if (err instanceof CollectorError) {
      io.err(`error: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

export function validateCommand(
  configs: readonly string[],
  sets: readonly string[],
  factories: readonly AnyFactory[],
  io: Output,
): number {
  const resolved = loadAndReport(configs, sets, factories, io);
  if (!resolved) return 1;
  io.out(
    `configuration is valid: ${resolved.pipelines.length} pipeline(s), ${resolved.components.size} component(s)`,
  );
  return 0;
}
