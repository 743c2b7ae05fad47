import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; `.ci/run` installs it when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where browser tests leave their screenshots (kept after the run, ignored by git). */
export const TEST_OUTPUT = new URL('../../test-output/', import.meta.url).pathname;

/**
 * Headless Chromium with a fresh profile and nothing that phones home. Closing the returned
 * context also removes the profile.
 */
export async function launchChromium(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Chromium may still be writing its profile as the context closes: retry, never fail a test.
  context.once('close', () => {
    void rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(
      () => {},
    );
  });
  return context;
}

/** Saves a full-page screenshot under `test-output/<folder>/<name>.png` and returns its bytes. */
export async function saveScreenshot(page: Page, folder: string, name: string): Promise<Buffer> {
  const dir = join(TEST_OUTPUT, folder);
  mkdirSync(dir, { recursive: true });
  const png = await page.screenshot({ fullPage: true });
  writeFileSync(join(dir, `${name}.png`), png);
  return png;
}

export interface Area {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The share of the pixels of `area` in a PNG (a full-page screenshot) within ±8 per channel of
 * `hex` (`#1a7f37`). The browser decodes the image, so no image library is needed.
 */
export function colourShare(page: Page, png: Buffer, area: Area, hex: string): Promise<number> {
  const { x, y, width, height } = {
    x: Math.round(area.x),
    y: Math.round(area.y),
    width: Math.round(area.width),
    height: Math.round(area.height),
  };
  return page.evaluate(
    `(async () => {
      const img = new Image();
      img.src = 'data:image/png;base64,${png.toString('base64')}';
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = ${width};
      canvas.height = ${height};
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, ${x}, ${y}, ${width}, ${height}, 0, 0, ${width}, ${height});
      const d = ctx.getImageData(0, 0, ${width}, ${height}).data;
      const want = [1, 3, 5].map((i) => parseInt('${hex}'.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (want.every((v, k) => Math.abs(d[i + k] - v) <= 8)) n++;
      }
      return n / (d.length / 4);
    })()`,
  ) as Promise<number>;
}
