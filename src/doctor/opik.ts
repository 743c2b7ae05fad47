import type { HttpAnswer } from '../exporters/opik/classify.js';
import { type OpikHttp, opikHttpFor } from '../exporters/opik/client.js';
import type { OpikConfig } from '../exporters/opik/config.js';
import { probeIdOverrides } from '../exporters/opik/id-override-probe.js';
import {
  fetchOpikVersion,
  NEWEST_KNOWN_OPIK,
  opikVersion,
} from '../exporters/opik/opik-version.js';
import { encodeTracesRequest } from '../otlp/proto-codec.js';
import { type CheckResult, fail, pass } from './check.js';

const ENDPOINT_FIX =
  'set OPIK_URL_OVERRIDE (exporters::<id>::endpoint) to Opik’s API base: self-hosted http://<host>:5173/api (or the backend, http://<host>:8080), Opik Cloud https://www.comet.com/opik/api';
const NO_OTLP_NOTE = 'the REST API will carry the data instead';

/**
 * Talks to the Opik an `opik` exporter points at: is it there, does it take the key and the
 * workspace, is the clock within its ingestion window, which version it is (and so how spans are
 * written for it), and does its OTLP endpoint honour the `opik.*` id overrides. Writes nothing but a probe trace that it deletes again.
 */
export async function checkOpik(
  id: string,
  config: OpikConfig,
  now: () => number = Date.now,
): Promise<CheckResult[]> {
  const who = `exporter "${id}"`;
  const http = opikHttpFor(config);
  const signal = AbortSignal.timeout(config.timeout > 0 ? config.timeout : 10_000);
  try {
    let answer: HttpAnswer;
    try {
      // An empty batch: Opik checks the credentials, then refuses the body (422). Nothing is written.
      answer = await http.postJson('/v1/private/traces/batch', '{"traces":[]}', signal);
    } catch (err) {
      return [
        fail(
          `${who}: Opik is not reachable at ${config.endpoint}: ${reason(err)}`,
          `${ENDPOINT_FIX}, and check that Opik is running and reachable from here`,
        ),
      ];
    }
    const access = accessResult(who, config, answer);
    if (!access[access.length - 1]!.ok) return access;
    return [
      ...access,
      clockResult(who, config, answer, now()),
      await versionResult(who, config, http, signal),
      await otlpResult(who, config, http, now, signal),
    ];
  } finally {
    await http.close();
  }
}

function accessResult(who: string, config: OpikConfig, a: HttpAnswer): CheckResult[] {
  const said = opikMessage(a.body);
  const reached = pass(`${who}: Opik answers at ${config.endpoint}`);
  if (a.status === 401) {
    return [
      reached,
      fail(
        `${who}: Opik refused the API key (HTTP 401${said})`,
        config.api_key === ''
          ? 'this Opik needs an API key: set OPIK_API_KEY (exporters::<id>::api_key)'
          : 'set OPIK_API_KEY to a key that belongs to the workspace (Opik Cloud: your account’s API key page)',
      ),
    ];
  }
  if (a.status === 403) {
    return [
      reached,
      fail(
        `${who}: Opik refused workspace "${config.workspace}" (HTTP 403${said})`,
        'set OPIK_WORKSPACE to a workspace this API key may use',
      ),
    ];
  }
  if (a.status === 404 && /workspace/i.test(a.body)) {
    return [
      reached,
      fail(
        `${who}: workspace "${config.workspace}" is unknown to this Opik (HTTP 404${said})`,
        'set OPIK_WORKSPACE to your workspace name; a self-hosted Opik without auth only has "default"',
      ),
    ];
  }
  if (a.status === 404 || a.status === 405) {
    return [
      fail(
        `${who}: there is no Opik API at ${config.endpoint} (HTTP ${a.status}${said})`,
        ENDPOINT_FIX,
      ),
    ];
  }
  if (a.status >= 500 || a.status === 0) {
    return [
      fail(
        `${who}: Opik at ${config.endpoint} is failing (HTTP ${a.status}${said})`,
        'Opik is up but unwell: check its logs and its database services',
      ),
    ];
  }
  return [
    reached,
    pass(
      config.api_key === ''
        ? `${who}: no API key needed (self-hosted Opik); workspace "${config.workspace}" accepted`
        : `${who}: the API key and workspace "${config.workspace}" are accepted`,
    ),
  ];
}

function clockResult(who: string, config: OpikConfig, a: HttpAnswer, nowMs: number): CheckResult {
  const date = Date.parse(String(a.headers.date ?? ''));
  if (Number.isNaN(date))
    return pass(`${who}: Opik sent no Date header; the clock could not be compared`);
  const skewMs = nowMs - date;
  const hours = config.ingestion_window.window / 3_600_000;
  // Date headers have one-second resolution: a skew under 2 s is no skew.
  const skew = `${(Math.abs(skewMs) / 1000).toFixed(0)} s ${skewMs >= 0 ? 'ahead of' : 'behind'} Opik`;
  if (Math.abs(skewMs) < config.ingestion_window.window) {
    return pass(`${who}: the clock is within Opik Cloud’s ${hours} h ingestion window (${skew})`);
  }
  return fail(
    `${who}: the clock is ${skew}, outside Opik Cloud’s ${hours} h ingestion window`,
    'synchronise this machine’s clock (NTP); ids minted with a wrong clock are refused by Opik Cloud',
  );
}

/** The version Opik reports, and the encoding the exporter writes for it. */
async function versionResult(
  who: string,
  config: OpikConfig,
  http: OpikHttp,
  signal: AbortSignal,
): Promise<CheckResult> {
  const reported = await fetchOpikVersion(http, signal).catch(() => undefined);
  const version = opikVersion(reported);
  if (reported === undefined) {
    return fail(
      `${who}: Opik does not tell its version at ${config.endpoint.replace(/\/+$/, '')}/is-alive/ver; spans are written as for Opik ${NEWEST_KNOWN_OPIK}`,
      'let that path through to Opik (a proxy in front of it must pass /is-alive/); an Opik before 2.2 stores the 2.2 encoding under other keys',
    );
  }
  return pass(
    version.known
      ? `${who}: Opik ${reported}; spans are written for Opik ${version.encoding}`
      : `${who}: Opik ${reported} is newer than the newest version this collector knows; spans are written as for Opik ${NEWEST_KNOWN_OPIK}`,
  );
}

async function otlpResult(
  who: string,
  config: OpikConfig,
  http: OpikHttp,
  now: () => number,
  signal: AbortSignal,
): Promise<CheckResult> {
  const otlpUrl = `${config.endpoint.replace(/\/+$/, '')}/v1/private/otel/v1/traces`;
  let probe: Awaited<ReturnType<typeof probeIdOverrides>>;
  try {
    probe = await probeIdOverrides(http, config.project_name, encodeTracesRequest, now, signal);
  } catch (err) {
    return fail(
      `${who}: the OTLP probe failed: ${reason(err)}`,
      'run doctor again; if it persists, check Opik’s logs',
    );
  }
  if (probe.kind === 'overrides')
    return pass(`${who}: Opik’s OTLP endpoint exists and accepts the opik.* id overrides`);
  if (probe.kind === 'no-overrides') {
    return fail(
      `${who}: Opik’s OTLP endpoint ignores the opik.* id overrides (an Opik before 2.1); ${NO_OTLP_NOTE}`,
      'nothing is lost; upgrade Opik to 2.1 or later to use its OTLP endpoint',
    );
  }
  const v = probe.verdict;
  const status = v.kind === 'ok' ? 200 : Number(/HTTP (\d+)/.exec(v.reason)?.[1] ?? 0);
  if (probe.step === 'otlp' && [404, 405, 415, 501].includes(status)) {
    return fail(
      `${who}: Opik has no OTLP endpoint at ${otlpUrl} (HTTP ${status}); ${NO_OTLP_NOTE}`,
      'nothing is lost; upgrade Opik to a version with OTLP ingestion to use it',
    );
  }
  return fail(
    `${who}: the OTLP probe got ${v.kind === 'ok' ? 'an unexpected answer' : v.reason} at its ${probe.step} step`,
    'run doctor again; if it persists, check Opik’s logs',
  );
}

function opikMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; errors?: string[] };
    const m = parsed.message ?? parsed.errors?.join('; ');
    return m ? `: ${m}` : '';
  } catch {
    return '';
  }
}

function reason(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
