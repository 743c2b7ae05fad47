/**
 * The status page in a real browser (Debian's Chromium, headless): spans flow from the OTLP
 * receiver through the processors into the fake Opik, then Opik goes down. Full-page screenshots
 * of both states are saved under test-output/status-page/ and checked: the state colour inside
 * the opik box, and what the page says.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusExtension } from '../../src/extensions/status/status-extension.js';
import { encodeTracesJson } from '../../src/otlp/json-codec.js';
import { makeSpan, makeTraces } from '../../src/pdata/span.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import { type Collector, startCollector } from '../../src/service/collector.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { type FakeOpik, startFakeOpik } from '../fake-opik/server.js';
import { componentOf, resolveYaml } from '../integration/support/pipeline.js';
import { colourShare, launchChromium, saveScreenshot } from '../support/chromium.js';

const OK = '#1a7f37';
const WARN = '#bf8700';

let fake: FakeOpik;
let collector: Collector;
let browser: BrowserContext;
let page: Page;
let sending: NodeJS.Timeout | undefined;

beforeAll(async () => {
  fake = await startFakeOpik();
  collector = await startCollector(
    resolveYaml(`
extensions:
  status:
    endpoint: 127.0.0.1:0
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 90
  genai:
exporters:
  opik:
    endpoint: ${fake.url}/api
    detect_id_overrides: false
    retry_on_failure: { initial_interval: 50ms, max_interval: 100ms, max_elapsed_time: 0s }
    sending_queue: { enabled: true, num_consumers: 1 }
service:
  extensions: [status]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, genai]
      exporters: [opik]
`),
    silentLogger(),
  );
  browser = await launchChromium();
  page = await browser.newPage();
});

afterAll(async () => {
  clearInterval(sending);
  fake.down = false;
  await browser?.close();
  await collector?.shutdown();
  await fake?.stop();
});

/** Sends a two-span trace over OTLP/HTTP JSON every 200 ms, as an instrumented app would. */
function keepSending() {
  const http = componentOf<OtlpReceiver>(collector, 'receiver', 'otlp').addresses.http!;
  let n = 0;
  const send = async () => {
    n++;
    const traceId = n.toString(16).padStart(32, 'a');
    const start = BigInt(Date.now()) * 1_000_000n;
    const id = (k: string) => `${n.toString(16).padStart(14, '0')}${k}`;
    const times = { startTimeUnixNano: start, endTimeUnixNano: start + 1_000_000n };
    const spans = [
      makeSpan({ traceId, spanId: id('01'), name: `workflow ${n}`, ...times }),
      makeSpan({ traceId, spanId: id('02'), parentSpanId: id('01'), name: 'llm', ...times }),
    ];
    await fetch(`http://${http}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: encodeTracesJson(makeTraces(spans)),
    }).catch(() => {});
  };
  void send();
  sending = setInterval(() => void send(), 200);
}

const opikNode = () => page.locator('.node[data-kind="exporter"][data-id="opik"]');
const opikCard = () => page.locator('.card[data-exporter="opik"]');

/** The screenshot, and the share of the opik box's pixels in each state colour. */
async function shoot(name: string) {
  const png = await saveScreenshot(page, 'status-page', name);
  const box = (await opikNode().boundingBox())!;
  return {
    ok: await colourShare(page, png, box, OK),
    warn: await colourShare(page, png, box, WARN),
  };
}

describe('status page in Chromium', () => {
  it('shows the pipeline with live rates and the traces delivered to Opik', async () => {
    const status = componentOf<StatusExtension>(collector, 'extension', 'status').address!;
    await page.goto(`http://${status}/`);
    await page.evaluate('window.loadedOnce = true');
    keepSending();

    await expect
      .poll(async () => Number(await opikNode().locator('.rate').getAttribute('data-rate')), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    await expect.poll(() => page.locator('#traces tr[data-trace]').count()).toBeGreaterThan(2);

    const lane = page.locator('.lane[data-pipeline="traces"] .node');
    expect(await lane.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')))).toEqual([
      'otlp',
      'memory_limiter',
      'genai',
      'opik',
    ]);
    expect(await opikNode().getAttribute('data-state')).toBe('ok');
    expect(await page.locator('#overall').textContent()).toBe('ok');
    expect(await opikCard().locator('dd').first().textContent()).toBe('OTLP');
    const project = opikCard().locator('a', { hasText: 'Opik project "Default Project"' });
    expect(await project.getAttribute('href')).toBe(
      `${fake.url}/default/redirect/projects?name=Default%20Project`,
    );
    const row = page.locator('#traces tr[data-trace]').first();
    expect(await row.locator('td').nth(1).textContent()).toMatch(/^workflow \d+$/);
    expect(await row.locator('td').nth(2).textContent()).toBe('2');
    expect(await row.locator('a').getAttribute('href')).toMatch(
      new RegExp(`^${fake.url}/api/v1/session/redirect/projects/\\?trace_id=[0-9a-f-]{36}&path=`),
    );

    const colours = await shoot('flowing');
    expect(colours.ok).toBeGreaterThan(0.02);
    expect(colours.warn).toBe(0);
  });

  it('shows Opik down: the exporter failing, its queue growing, the error in plain words', async () => {
    fake.down = true;
    await expect
      .poll(() => opikNode().getAttribute('data-state'), { timeout: 15_000 })
      .toBe('recoverable_error');
    await expect
      .poll(() => opikCard().locator('.errors li').first().textContent())
      .toMatch(/Opik answered HTTP 503: Service Unavailable \(the service is unavailable/);
    await expect
      .poll(async () => (await opikCard().locator('.queue').textContent()) ?? '')
      .toMatch(/^[1-9]\d* of 1,000 requests/);

    expect(await page.locator('#overall').textContent()).toBe('failing, retrying');
    expect(await opikNode().locator('.reason').textContent()).toMatch(
      /^Opik answered HTTP 503.*\(for \d+s\)$/,
    );
    expect(await opikCard().textContent()).toMatch(/failing for\d+s/);

    const colours = await shoot('opik-down');
    expect(colours.warn).toBeGreaterThan(0.02);
    expect(await page.evaluate('window.loadedOnce')).toBe(true); // updated without a reload
  });

  it('shows the recovery', async () => {
    fake.down = false;
    await expect.poll(() => opikNode().getAttribute('data-state'), { timeout: 15_000 }).toBe('ok');
    const colours = await shoot('recovered');
    expect(colours.warn).toBe(0);
    expect(colours.ok).toBeGreaterThan(0.02);
  });
});
