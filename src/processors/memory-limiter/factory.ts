import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defineProcessorFactory } from '../../component/types.js';
import { RetryableError } from '../../errors/errors.js';
import { spanCount } from '../../pdata/count.js';
import { liveMemory, memoryBudget } from '../../pipeline/memory-budget.js';
import { defineProcessor } from '../../processorhelper/define-processor.js';
import {
  createDefaultConfig,
  type MemoryLimiterConfig,
  memoryLimiterConfigSchema,
  validate,
} from './config.js';
import { limitsFor } from './limits.js';

/**
 * `memory_limiter`: refuses data while the process's live memory is above the soft limit, so the
 * collector slows its clients down (HTTP 503 / gRPC UNAVAILABLE with Retry-After; OTel SDKs
 * retry) instead of being killed. Live memory is the V8 heap in use plus memory held outside it
 * (request bodies, compression buffers): it falls as soon as garbage is collected, whereas RSS
 * stays high long after a burst (V8 keeps its pages), which would keep refusing data that could
 * be taken. RSS runs some tens of MiB above it, as the Collector documents for its heap limit.
 */
let gcFunction: (() => void) | undefined;
/** A full garbage collection, with V8's gc() enabled once at run time (no command-line flag). */
function forceGc(): void {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

export const memoryLimiterProcessorFactory = defineProcessorFactory<MemoryLimiterConfig>({
  type: 'memory_limiter',
  stability: 'beta',
  configSchema: memoryLimiterConfigSchema,
  createDefaultConfig,
  validate,
  create(settings, config, next, rss: () => number = liveMemory) {
    const limits = limitsFor(config);
    const counter = (outcome: string) =>
      settings.telemetry
        .counter(
          `otelcol_processor_memory_limiter_${outcome}_spans_total`,
          `Spans the memory limiter ${outcome === 'accepted' ? 'let through' : 'refused'}.`,
          ['processor'],
        )
        .labels({ processor: settings.id });
    const accepted = counter('accepted');
    const refused = counter('refused');
    let refusing = false;
    let timer: NodeJS.Timeout | undefined;
    let unregister: (() => void) | undefined;
    let lastGc = 0;
    const check = () => {
      let used = rss();
      // As the Collector does: above the limit, collect garbage first (at most once a second),
      // so what is refused is memory really in use, not garbage waiting for the next GC.
      if (used >= limits.softBytes && Date.now() - lastGc >= 1000) {
        lastGc = Date.now();
        forceGc();
        used = rss();
      }
      const was = refusing;
      refusing = used >= limits.softBytes;
      if (refusing !== was) {
        settings.logger.warn(
          {
            rssMiB: Math.round(used / 1048576),
            softLimitMiB: Math.round(limits.softBytes / 1048576),
          },
          refusing
            ? 'memory above the soft limit: refusing data'
            : 'memory back under the soft limit: accepting data',
        );
      }
    };
    return defineProcessor(settings, next, {
      async start() {
        check();
        timer = setInterval(check, config.check_interval);
        timer.unref();
        // Receivers ask this budget before they read a request body.
        unregister = memoryBudget.register(this, limits.softBytes);
      },
      async shutdown() {
        clearInterval(timer);
        unregister?.();
      },
      process(traces) {
        const n = spanCount(traces);
        if (refusing) {
          refused.inc(n);
          throw new RetryableError(
            'ERR_PIPELINE_REFUSED',
            'data refused due to high memory usage',
            {
              retryAfterMs: Math.max(1000, config.check_interval),
            },
          );
        }
        accepted.inc(n);
        return traces;
      },
    });
  },
});
