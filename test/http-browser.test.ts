/**
 * A real browser on `/docs`: Debian's chromium driven by playwright-core opens the interactive
 * documentation, writes a key through "Try it out" / "Execute" on PUT, reads it back the same
 * way on GET, and sees the value in the page. The UI is served by Cairn itself (no CDN).
 */
import { existsSync, rmSync } from 'node:fs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CompiledCairn, startCompiledCairn } from './helpers/http.js';
import { tempDir } from './helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const UI_TIMEOUT_MS = 20_000;

let c: CompiledCairn;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup-test-deps.sh`);
  c = await startCompiledCairn();
  profile = tempDir('cairn-chromium-');
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Open an operation, press "Try it out", fill the key (and body), press "Execute"; the response panel. */
async function execute(page: Page, operationId: string, key: string, body?: string) {
  const op = page.locator(`#operations-keys-${operationId}`);
  await op.locator('.opblock-summary').click();
  await op.locator('button.try-out__btn').click();
  await op.locator('input[placeholder="key"]').fill(key);
  if (body !== undefined) await op.locator('textarea.body-param__text').fill(body);
  await op.locator('button.execute').click();
  const live = op.locator('.live-responses-table');
  await live.waitFor({ timeout: UI_TIMEOUT_MS });
  return live;
}

it('writes and reads a key through the interactive docs', async () => {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(c.base)) outside.push(r.url());
  });
  await page.goto(`${c.base}/docs`);
  await page.locator('#operations-keys-putKey').waitFor({ timeout: UI_TIMEOUT_MS });

  const key = 'from the browser/✓';
  const put = await execute(
    page,
    'putKey',
    key,
    JSON.stringify({ value: 'hello from chromium', ttl_ms: 60000 }),
  );
  await expect
    .poll(() => put.locator('tr.response .response-col_status').first().textContent())
    .toContain('200');
  expect(await c.redis.get(key)).toBe('hello from chromium');

  const get = await execute(page, 'getKey', key);
  await expect
    .poll(() => get.locator('tr.response .response-col_status').first().textContent())
    .toContain('200');
  const body = await get.locator('tr.response .response-col_description pre').first().textContent();
  const got = JSON.parse(body ?? '');
  expect(got).toMatchObject({ key, value: 'hello from chromium', encoding: 'utf8' });
  expect(got.ttl_ms).toBeGreaterThan(0);
  expect(got.ttl_ms).toBeLessThanOrEqual(60000);

  // The page never left this server: no CDN, works offline.
  expect(outside).toEqual([]);
}, 120_000);
