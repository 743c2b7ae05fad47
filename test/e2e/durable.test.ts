import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeOpik } from '../fake-opik/server.js';
import type { Running } from './cli.js';
import { durableConfig, eventually, load, sleep, start, tempDir } from './durable-support.js';

let fake: FakeOpik;
const running: Running[] = [];

beforeEach(async () => {
  fake = await new FakeOpik().start();
});

afterEach(async () => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await fake.stop();
});

const stored = () => new Set(fake.spans().map((s) => String(s.name)));
const storedCount = () => fake.spans().length;
const launch = async (config: string) => {
  const c = await start(config);
  running.push(c.run);
  return c;
};

/** Every acknowledged span is in Opik, and Opik holds each span once. */
function expectDeliveredOnce(acked: readonly string[]): void {
  const names = stored();
  expect(acked.filter((n) => !names.has(n))).toEqual([]);
  expect(storedCount()).toBe(names.size);
}

describe('durable delivery (real processes, real files)', () => {
  it('delivers every acknowledged span, once, after Opik was down for a while under load', async () => {
    const { url } = await launch(durableConfig(fake, tempDir()));
    fake.down = true;
    const traffic = load(url, 20, 'down');
    await sleep(1500);
    await traffic.stop();
    expect(traffic.acked.length).toBeGreaterThan(100);
    expect(storedCount()).toBe(0);
    fake.down = false;
    await eventually(() => stored().size >= traffic.acked.length);
    expectDeliveredOnce(traffic.acked);
  });

  it('delivers every acknowledged span after kill -9 and a restart on the same directory', async () => {
    const dir = tempDir();
    const config = durableConfig(fake, dir);
    fake.down = true;
    const first = await launch(config);
    const traffic = load(first.url, 20, 'kill');
    await sleep(1000);
    first.run.child.kill('SIGKILL');
    await first.run.exited;
    await traffic.stop();
    expect(traffic.acked.length).toBeGreaterThan(50);
    fake.down = false;
    await launch(config);
    await eventually(() => stored().size >= traffic.acked.length);
    expectDeliveredOnce(traffic.acked);
  });

  it('loses nothing acknowledged on SIGTERM during load, and exits within the timeout', async () => {
    const dir = tempDir();
    const config = durableConfig(fake, dir);
    fake.latencyMs = 1000;
    const first = await launch(config);
    const traffic = load(first.url, 20, 'term');
    await sleep(1000);
    const t0 = Date.now();
    first.run.child.kill('SIGTERM');
    const code = await first.run.exited;
    const took = Date.now() - t0;
    await traffic.stop();
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    // Something was still queued at shutdown: the restart had work to do.
    expect(stored().size).toBeLessThan(traffic.acked.length);
    fake.latencyMs = 0;
    await launch(config);
    await eventually(() => stored().size >= traffic.acked.length);
    expectDeliveredOnce(traffic.acked);
  });

  it('starts on a corrupted store file, moving it aside, and still delivers', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'exporter_opik.db'), 'garbage that is not a database'.repeat(100));
    const { run, url } = await launch(durableConfig(fake, dir));
    const traffic = load(url, 5, 'fresh');
    await sleep(300);
    await traffic.stop();
    await eventually(() => stored().size >= traffic.acked.length);
    expectDeliveredOnce(traffic.acked);
    expect(run.logs.some((l) => String(l.msg).startsWith('storage file is corrupt'))).toBe(true);
  });
});
