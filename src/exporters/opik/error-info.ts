import { getString } from '../../pdata/attributes.js';
import { type Span, StatusCode } from '../../pdata/traces.js';
import type { OpikErrorInfo } from './opik-types.js';

/**
 * Opik's `error_info` for a span, derived as Opik derives it from OTLP (reference/opik.md §2):
 * from the last `exception` event when there is one, else from an ERROR status, else none.
 * Empty strings count as absent.
 */
export function errorInfoOf(span: Span): OpikErrorInfo | undefined {
  let exception: Span['events'][number] | undefined;
  for (const e of span.events) if (e.name === 'exception') exception = e;
  if (exception) {
    const type = nonEmpty(getString(exception.attributes, 'exception.type'));
    const message = nonEmpty(getString(exception.attributes, 'exception.message'));
    const stack = nonEmpty(getString(exception.attributes, 'exception.stacktrace'));
    return withMessage(type ?? 'Error', message, stack ?? message ?? 'Error');
  }
  if (span.status.code === StatusCode.ERROR) {
    const message = nonEmpty(span.status.message);
    return withMessage('Error', message, message ?? 'Error');
  }
  return undefined;
}

function withMessage(type: string, message: string | undefined, traceback: string): OpikErrorInfo {
  return message === undefined
    ? { exception_type: type, traceback }
    : { exception_type: type, message, traceback };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
