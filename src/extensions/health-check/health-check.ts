import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Component, Host, Settings } from '../../component/types.js';
import { refuseUnlessGetOf } from '../../server/get-only.js';
import { type HttpListener, listenHttp } from '../../server/listen.js';
import type { HealthCheckConfig } from './config.js';
import { healthReply } from './status-body.js';

/** A started `health_check`; `address` is the bound `host:port` (the real port when 0 was asked). */
export interface HealthCheck extends Component {
  readonly address: string | undefined;
}

/** Creates the `health_check` extension: `GET {path}` answers the collector's health as JSON. */
export function createHealthCheck(settings: Settings, config: HealthCheckConfig): HealthCheck {
  let listener: HttpListener | undefined;
  let host: Host | undefined;
  let stopping: Promise<void> | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (refuseUnlessGetOf(config.path, req, res)) return;
    const reply = healthReply(host!.collectorStatus(), new Date(), {
      includeRecoverableErrors: config.component_health.include_recoverable_errors,
      recoveryMs: config.component_health.recovery_duration,
    });
    res
      .writeHead(reply.httpStatus, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      })
      .end(JSON.stringify(reply.body));
  };

  return {
    get address() {
      return listener?.address;
    },
    async start(h) {
      host = h;
      listener = await listenHttp(config.endpoint, handle);
      settings.logger.info(
        { address: listener.address, path: config.path },
        'health check listening',
      );
    },
    shutdown() {
      stopping ??= listener ? listener.close() : Promise.resolve();
      return stopping;
    },
  };
}
