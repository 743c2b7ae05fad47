import { collectorVersion } from '../../service/version.js';

/** `dify-opik-collector/<version> (<os>/<arch>)`, the form the Collector's exporters send. */
export function userAgent(): string {
  return `dify-opik-collector/${collectorVersion()} (${process.platform}/${process.arch})`;
}
