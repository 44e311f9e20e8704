/**
 * The served OpenAPI document: every route is in it, JSON and YAML agree, and a typed client
 * generated from it (openapi-typescript + openapi-fetch) typechecks and does a round trip.
 */
import { execFile } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from './helpers/cairn.js';
import { type CompiledCairn, call, type Json, startCompiledCairn } from './helpers/http.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
let c: CompiledCairn;
let doc: Json;

beforeAll(async () => {
  c = await startCompiledCairn();
  doc = (await call(c.base, 'GET', '/openapi.json')).json;
});
afterAll(async () => {
  await c.stop();
});

const ROUTES: Record<string, string[]> = {
  '/v1/keys/{key}': ['get', 'put', 'delete'],
  '/v1/keys/{key}/ttl': ['get', 'put', 'delete'],
  '/v1/keys/{key}/incr': ['post'],
  '/v1/keys': ['get'],
  '/v1/mget': ['post'],
  '/v1/kv': ['post', 'put'],
  '/': ['post'],
  '/pipeline': ['post'],
  '/multi-exec': ['post'],
  '/{command}': ['get', 'post'],
  '/{command}/{*}': ['get', 'post'],
  '/v1/subscribe': ['get'],
  '/v1/streams/{key}/events': ['get'],
  '/subscribe/{*}': ['post'],
  '/psubscribe/{*}': ['post'],
  '/ssubscribe/{*}': ['post'],
  '/healthz': ['get'],
  '/readyz': ['get'],
  '/metrics': ['get'],
};

describe('the document', () => {
  it('is OpenAPI 3.1 and lists every route with a unique operationId', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Cairn HTTP API');
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(ROUTES)) {
      expect(doc.paths[path], path).toBeDefined();
      for (const m of methods) {
        const op = doc.paths[path][m];
        expect(op, `${m} ${path}`).toBeDefined();
        expect(typeof op.operationId).toBe('string');
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
      }
    }
    expect(doc.components.schemas.Error).toBeDefined();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Raw bodies are typed as bytes for tools and the UI.
    const put = doc.paths['/v1/keys/{key}'].put.requestBody.content;
    expect(put['application/octet-stream'].schema).toMatchObject({ type: 'string', format: 'binary' });
    // A string's body, or a whole collection's, told apart by `type`.
    const bodies = put['application/json'].schema.anyOf as Json[];
    expect(bodies.map((b) => b.title)).toEqual(['StringPut', 'HashPut', 'ListPut', 'SetPut', 'ZSetPut']);
    expect(bodies[0].properties.value.type).toBe('string');
    expect(bodies[1].properties.value.type).toBe('object');
    expect(bodies[4].properties.value.items.properties).toMatchObject({ member: { type: 'string' } });
    const got = doc.paths['/v1/keys/{key}'].get.responses['200'].content['application/json'].schema;
    expect((got.anyOf as Json[]).map((b) => b.properties.type.enum[0])).toEqual([
      'string',
      'hash',
      'list',
      'set',
      'zset',
      'stream',
    ]);
    // The command API's RESP3 opt-in is documented as a header and a query parameter.
    const params = (doc.paths['/'].post.parameters as Json[]).map((p) => `${p.in}:${p.name}`);
    expect(params.sort()).toEqual(['header:cairn-protocol', 'query:resp']);
    // The command list is generated from the command table.
    expect(doc.paths['/'].post.description).toMatch(/\bincrby\b/);
    expect(doc.paths['/'].post.description).not.toMatch(/\bmulti\b/);
    // Server-Sent Events are documented as such.
    const sse = doc.paths['/v1/subscribe'].get;
    expect(Object.keys(sse.responses['200'].content)).toEqual(['text/event-stream']);
    expect((sse.parameters as Json[]).map((p) => p.name).sort()).toEqual([
      'channel',
      'db',
      'encoding',
      'keyevent',
      'keyspace',
      'pattern',
      'shard',
    ]);
  });

  it('is served as YAML too, with the same content', async () => {
    const r = await fetch(`${c.base}/openapi.yaml`);
    expect(r.headers.get('content-type')).toMatch(/yaml/);
    expect(parseYaml(await r.text())).toEqual(doc);
  });

  it('is linked from GET /', async () => {
    const r = await call(c.base, 'GET', '/');
    expect(r.json).toMatchObject({ name: 'cairn', docs: '/docs', openapi: '/openapi.json' });
    expect(r.json.version).toBe(doc.info.version);
  });

  it('is what the /docs UI loads', async () => {
    const page = await fetch(`${c.base}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    // Everything the page needs comes from this server, not a CDN.
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect((await call(c.base, 'GET', '/docs/json')).json.paths).toEqual(doc.paths);
  });
});

describe('a generated client', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('cairn-openapi-');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    const ast = await openapiTS(new URL(`${c.base}/openapi.json`));
    writeFileSync(join(dir, 'cairn.d.ts'), astToString(ast));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('does a PUT/GET round trip with openapi-fetch', async () => {
    // Untyped here (the types are generated at run time); the next test typechecks them.
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const client = createClient<any>({ baseUrl: c.base });
    const key = 'generated/ключ ✓';
    const put = await client.PUT('/v1/keys/{key}', {
      params: { path: { key } },
      body: { value: 'from the generated client', ttl_ms: 60_000 },
    });
    expect(put.response.status).toBe(200);
    expect(put.data).toEqual({ ok: true });
    const got = await client.GET('/v1/keys/{key}', { params: { path: { key } } });
    expect(got.data).toMatchObject({ key, value: 'from the generated client', encoding: 'utf8' });
    // The compiled server runs on the real clock: the TTL has started counting down.
    expect(got.data.ttl_ms).toBeGreaterThan(50_000);
    expect(got.data.ttl_ms).toBeLessThanOrEqual(60_000);
    const missing = await client.GET('/v1/keys/{key}', { params: { path: { key: 'nope' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toEqual({ error: { code: 'not_found', message: 'no such key' } });
  });

  it('typechecks against the generated types, and runs', async () => {
    writeFileSync(
      join(dir, 'client.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './cairn.js';

const client = createClient<paths>({ baseUrl: process.argv[2] });
const key = 'typed key';
const put = await client.PUT('/v1/keys/{key}', { params: { path: { key } }, body: { value: 'typed', ttl_ms: 5000 } });
if (put.error) throw new Error(put.error.error.message);
const { data, error } = await client.GET('/v1/keys/{key}', { params: { path: { key } } });
if (error) throw new Error(error.error.message);
// The route also answers raw bytes (Accept: application/octet-stream): the types say so.
if (typeof data === 'string') throw new Error('asked for JSON');
// The answer is a union told apart by \`type\`.
if (data.type !== 'string') throw new Error('expected a string');
const value: string = data.value;
const ttl: number | null = data.ttl_ms;
// @ts-expect-error a value is a string, and the generated types say so
await client.PUT('/v1/keys/{key}', { params: { path: { key } }, body: { value: 5 } });
const hash = await client.PUT('/v1/keys/{key}', {
  params: { path: { key: 'typed hash' } },
  body: { type: 'hash', value: { f: 'v' } },
});
if (hash.error) throw new Error(hash.error.error.message);
const h = await client.GET('/v1/keys/{key}', { params: { path: { key: 'typed hash' } } });
if (typeof h.data === 'string' || h.data?.type !== 'hash') throw new Error('expected a hash');
const field: string | undefined = h.data.value.f;
// @ts-expect-error hash values are strings
await client.PUT('/v1/keys/{key}', { params: { path: { key } }, body: { type: 'hash', value: { f: 1 } } });
// @ts-expect-error a score is a number (or "inf"/"-inf")
await client.PUT('/v1/keys/{key}', { params: { path: { key } }, body: { type: 'zset', value: [{ member: 'a', score: 'x' }] } });
// @ts-expect-error no such route
await client.GET('/v1/nothing');
const incr = await client.POST('/v1/keys/{key}/incr', { params: { path: { key: 'n' } }, body: { by: 2 } });
console.log(JSON.stringify({ value, ttl, incr: incr.data?.value, field }));
`,
    );
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(
      process.execPath,
      [
        tsc,
        '--strict',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--skipLibCheck',
        '--types',
        'node',
        'client.ts',
      ],
      { cwd: dir },
    ).catch((e: { stdout: string }) => {
      throw new Error(`generated client does not typecheck:\n${e.stdout}`);
    });
    const out = await run(process.execPath, [join(dir, 'client.js'), c.base], { cwd: dir });
    const res = JSON.parse(out.stdout);
    expect(res).toMatchObject({ value: 'typed', incr: 2, field: 'v' });
    expect(res.ttl).toBeGreaterThan(0);
    expect(res.ttl).toBeLessThanOrEqual(5000);
  }, 120_000);
});
