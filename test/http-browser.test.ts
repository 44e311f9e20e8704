/**
 * A real browser on `/docs`: Debian's chromium driven by playwright-core opens the interactive
 * documentation, writes a key through "Try it out" / "Execute" on PUT, reads it back the same
 * way on GET, and sees the value in the page. The UI is served by Cairn itself (no CDN). In the
 * same page, the browser's own EventSource receives a message published over RESP.
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

it("receives over the browser's EventSource a message published over RESP", async () => {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${c.base}/docs`);
  const received = page.evaluate(
    () =>
      new Promise<{ type: string; data: string }>((resolve, reject) => {
        const es = new EventSource('/v1/subscribe?channel=browser&pattern=browser.*');
        const w = globalThis as unknown as { subscribed?: number };
        es.addEventListener('subscribe', () => {
          w.subscribed = (w.subscribed ?? 0) + 1;
        });
        es.addEventListener('psubscribe', () => {
          w.subscribed = (w.subscribed ?? 0) + 1;
        });
        es.addEventListener('pmessage', (e) => {
          es.close();
          resolve({ type: e.type, data: (e as MessageEvent).data });
        });
        es.onerror = () => reject(new Error('EventSource failed'));
      }),
  );
  await page.waitForFunction(
    () => (globalThis as unknown as { subscribed?: number }).subscribed === 2,
    undefined,
    {
      timeout: UI_TIMEOUT_MS,
    },
  );
  expect(await c.redis.publish('browser.news', 'hello from RESP ✓')).toBe(1);
  const got = await received;
  expect(got.type).toBe('pmessage');
  expect(JSON.parse(got.data)).toEqual({
    pattern: 'browser.*',
    channel: 'browser.news',
    message: 'hello from RESP ✓',
    encoding: 'utf8',
  });
}, 60_000);

it('sends the credentials the browser holds for the origin with EventSource requests', async () => {
  // A password from now on: a request without credentials gets 401 and the Basic challenge.
  await c.redis.config('SET', 'requirepass', 'browser-secret');
  try {
    const refused = await fetch(`${c.base}/v1/subscribe?channel=guarded`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/Basic/);
    // What a user types at the browser's prompt.
    await browser.setHTTPCredentials({ username: 'default', password: 'browser-secret' });
    const page = await browser.newPage();
    await page.goto(`${c.base}/docs`);
    const received = page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const es = new EventSource('/v1/subscribe?channel=guarded');
          es.addEventListener('subscribe', () => {
            (globalThis as unknown as { ready?: boolean }).ready = true;
          });
          es.addEventListener('message', (e) => {
            es.close();
            resolve(JSON.parse(e.data).message);
          });
          es.onerror = () => reject(new Error('EventSource failed'));
        }),
    );
    await page.waitForFunction(
      () => (globalThis as unknown as { ready?: boolean }).ready === true,
      undefined,
      {
        timeout: UI_TIMEOUT_MS,
      },
    );
    expect(await c.redis.publish('guarded', 'for the logged-in browser')).toBe(1);
    expect(await received).toBe('for the logged-in browser');
    await page.close();
  } finally {
    await browser.setHTTPCredentials(null);
    await c.redis.config('SET', 'requirepass', '');
  }
}, 60_000);
