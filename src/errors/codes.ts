/**
 * Every error code the collector reports, with a one-line meaning. `docs/errors.md` explains each
 * one with its fix; a test keeps the two in step.
 */
export const errorCodes = {
  ERR_CONFIG_INVALID: 'the configuration has problems; each is listed with its key path',
  ERR_CONFIG_READ: 'a configuration file could not be read or is not valid YAML',
  ERR_COMPONENT_START: 'a component failed to start (for example its port is taken)',
  ERR_BAD_REQUEST: 'a request body could not be decoded or breaks the protocol',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'a request has a Content-Type the endpoint does not accept',
  ERR_UNSUPPORTED_ENCODING: 'a request has a Content-Encoding the endpoint does not accept',
  ERR_BODY_TOO_LARGE:
    'a request body is larger than max_request_body_size, before or after decompression',
  ERR_METHOD_NOT_ALLOWED: 'a request used an HTTP method the endpoint does not serve',
  ERR_NOT_FOUND: 'a request went to a path the endpoint does not serve',
  ERR_UNAUTHENTICATED: 'a request lacked the credentials the receiver requires, or they were wrong',
  ERR_REQUEST_TIMEOUT:
    'a client took longer than read_header_timeout or read_timeout to send its request',
  ERR_TOO_MANY_SPANS: 'a request holds more spans than the receiver takes at once',
  ERR_PIPELINE_REFUSED:
    'the pipeline refused data for now (memory or queue pressure); the client should retry',
  ERR_PIPELINE_FAILED:
    'the pipeline failed to process data and retrying the same data will not help',
  ERR_SHUTTING_DOWN: 'the collector is shutting down and accepts no more data',
  ERR_EXPORT_FAILED: 'an exporter could not deliver data (it will be retried)',
  ERR_EXPORT_REJECTED: 'the destination rejected data permanently',
  ERR_EXPORT_TIMEOUT:
    'an export attempt took longer than the exporter timeout (it will be retried)',
  ERR_EXPORT_UNAUTHORIZED:
    'the destination refused the credentials (HTTP 401/403); data is kept and retried',
  ERR_EXPORT_ENDPOINT_UNUSABLE:
    'the primary endpoint cannot take the data (no OTLP route, or no id overrides); the fallback is used',
  ERR_STORAGE_UNAVAILABLE:
    'a persistent store cannot write (disk full, read-only or unwritable); new data is refused until it can',
  ERR_DEAD_LETTER_UNWRITABLE:
    'the dead-letter file cannot be written; the items stay in the queue and are tried again',
} as const;

export type ErrorCode = keyof typeof errorCodes;
