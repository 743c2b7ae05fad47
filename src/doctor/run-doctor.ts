import type { AnyFactory } from '../component/types.js';
import { loadConfig } from '../config/load.js';
import { type ResolvedConfig, resolveConfig } from '../config/resolve.js';
import { scrubSecrets } from '../config/secret.js';
import { CollectorError, ConfigError, formatIssue } from '../errors/errors.js';
import type { OpikConfig } from '../exporters/opik/config.js';
import type { RedisStorageConfig } from '../extensions/redis-storage/config.js';
import type { DifyQueueReceiverConfig } from '../receivers/dify-queue/config.js';
import { type CheckResult, fail, formatResult, pass } from './check.js';
import { checkDifyQueue } from './dify-queue.js';
import { checkOpik } from './opik.js';
import { checkPorts } from './ports.js';
import { checkRedisStorage } from './redis-storage.js';
import { checkQueues } from './storage.js';

export interface DoctorReport {
  readonly results: CheckResult[];
  readonly lines: string[];
  readonly ok: boolean;
}

/**
 * Runs every check on a config and says, in plain words and with the fix for each problem, what
 * stands between it and spans in Opik. The config is checked first; the rest needs a valid one.
 */
export async function runDoctor(
  files: readonly string[],
  sets: readonly string[],
  factories: readonly AnyFactory[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  let config: ResolvedConfig | undefined;
  try {
    config = resolveConfig(loadConfig(files, sets), factories, env);
    results.push(
      pass(
        `config is valid: ${config.pipelines.length} pipeline(s), ${config.components.size} component(s)`,
      ),
    );
  } catch (err) {
    if (err instanceof ConfigError) {
      results.push(
        fail(
          `config has ${err.issues.length} problem(s):\n${err.issues.map((i) => `      ${formatIssue(i)}`).join('\n')}`,
          'fix each listed key; `dify-opik-collector validate --config F` checks again',
        ),
      );
    } else if (err instanceof CollectorError) {
      results.push(
        fail(
          `config cannot be read: ${err.message}`,
          'check the path and the YAML at the reported line',
        ),
      );
    } else throw err;
  }
  if (config) {
    results.push(...(await checkPorts(config)));
    const exporters = new Set(config.pipelines.flatMap((p) => p.exporters));
    const receivers = new Set(config.pipelines.flatMap((p) => p.receivers));
    const extensions = new Set(config.extensions);
    for (const c of config.components.values()) {
      if (c.kind === 'extension' && c.factory.type === 'redis_storage' && extensions.has(c.id)) {
        // Redis first: the exporters that name it depend on it.
        results.push(await checkRedisStorage(c.id, c.config as RedisStorageConfig));
      }
    }
    for (const c of config.components.values()) {
      if (c.kind === 'exporter' && c.factory.type === 'opik' && exporters.has(c.id)) {
        results.push(...(await checkOpik(c.id, c.config as OpikConfig)));
      }
      if (c.kind === 'receiver' && c.factory.type === 'dify_queue' && receivers.has(c.id)) {
        results.push(...(await checkDifyQueue(c.id, c.config as DifyQueueReceiverConfig)));
      }
    }
    results.push(...checkQueues(config));
  }
  // A URL with a password, or a secret echoed in an error, never reaches the report.
  const lines = results.flatMap(formatResult).map(scrubSecrets);
  const failures = results.filter((r) => !r.ok).length;
  lines.push(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
  return { results, lines, ok: failures === 0 };
}
