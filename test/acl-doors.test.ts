/**
 * One ACL rules all three doors: the users RESP logs in as also guard HTTP (Authorization:
 * Basic or Bearer) and gRPC (metadata), with the same NOPERM refusals mapped to 403 and
 * PERMISSION_DENIED; admin commands are never reachable over HTTP or gRPC without credentials.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient, grpc, statusOf } from './helpers/grpc.js';
import { call } from './helpers/http.js';

const basic = (user: string, pass: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

function md(entries: Record<string, string>): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) m.set(k, v);
  return m;
}

const args = (...a: string[]) => ({ args: a.map((s) => Buffer.from(s)) });

describe('ACL users on the HTTP and gRPC doors (open default user)', () => {
  let cairn: CairnProcess;
  let base: string;
  let rpc: CairnGrpc;

  beforeAll(async () => {
    cairn = await startCairn({
      args: [
        '--user',
        'ops on >ops-pw ~* +@all',
        '--user',
        'reader on >r-pw ~* +@read +@connection +acl|whoami',
      ],
    });
    base = `http://127.0.0.1:${cairn.httpPort}`;
    rpc = cairnClient(cairn.grpcPort);
  }, 30_000);

  afterAll(async () => {
    rpc?.close();
    await cairn?.stop();
  });

  it('HTTP: anonymous requests run as the default user but never reach admin commands', async () => {
    expect((await call(base, 'POST', '/', ['SET', 'h1', 'v'])).json).toEqual({ result: 'OK' });
    const r = await call(base, 'POST', '/', ['CONFIG', 'GET', 'maxclients']);
    expect(r.status).toBe(403);
    expect(r.json.error).toMatch(/NOPERM 'config\|get' is an admin command/);
    // A token on an open server logs in as the password-less default user: still no admin.
    expect((await call(base, 'POST', '/', ['FLUSHALL'], { authorization: 'Bearer anything' })).status).toBe(
      403,
    );
  });

  it('HTTP: Basic and Bearer user:password log in as named users with their permissions', async () => {
    const ok = await call(base, 'POST', '/', ['CONFIG', 'GET', 'maxclients'], basic('ops', 'ops-pw'));
    expect(ok.status).toBe(200);
    expect(ok.json.result).toEqual(['maxclients', '10000']);
    expect(
      (await call(base, 'POST', '/', ['ACL', 'WHOAMI'], { authorization: 'Bearer ops:ops-pw' })).json.result,
    ).toBe('ops');
    const denied = await call(base, 'PUT', '/v1/keys/h2', { value: 'x' }, basic('reader', 'r-pw'));
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/this user has no permissions to run the 'set' command/);
    expect((await call(base, 'GET', '/v1/keys/h1', undefined, basic('reader', 'r-pw'))).json.value).toBe('v');
    const wrong = await call(base, 'GET', '/v1/keys/h1', undefined, basic('reader', 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('unauthenticated');
  });

  it('gRPC: anonymous calls cannot run admin commands; metadata users can, within their rules', async () => {
    const anon = await statusOf(rpc.unary('Execute', args('CONFIG', 'GET', 'maxclients')));
    expect(anon.code).toBe(grpc.status.PERMISSION_DENIED);
    const ops = await rpc.unary('Execute', args('CONFIG', 'GET', 'maxclients'), {
      metadata: md({ username: 'ops', password: 'ops-pw' }),
    });
    expect(Buffer.from(ops.reply.map.entries[0].key.bulk).toString()).toBe('maxclients');
    const reader = md(basic('reader', 'r-pw'));
    const set = await statusOf(
      rpc.unary('Set', { key: Buffer.from('g1'), value: Buffer.from('x') }, { metadata: reader }),
    );
    expect(set.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(set.details).toMatch(/no permissions to run the 'set' command/);
    expect((await rpc.unary('Execute', args('ACL', 'WHOAMI'), { metadata: reader })).reply).toBeDefined();
    const wrong = await statusOf(
      rpc.unary('Get', { key: Buffer.from('g1') }, { metadata: md({ username: 'reader', password: 'x' }) }),
    );
    expect(wrong.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('a user changed over RESP is changed for HTTP and gRPC at once', async () => {
    const admin = new Redis({
      port: cairn.respPort,
      username: 'ops',
      password: 'ops-pw',
      enableReadyCheck: false,
    });
    try {
      await admin.call('ACL', 'SETUSER', 'reader', '+set');
      expect((await call(base, 'PUT', '/v1/keys/h3', { value: 'y' }, basic('reader', 'r-pw'))).status).toBe(
        200,
      );
      await admin.call('ACL', 'SETUSER', 'reader', 'off');
      expect((await call(base, 'GET', '/v1/keys/h3', undefined, basic('reader', 'r-pw'))).status).toBe(401);
      const off = await statusOf(
        rpc.unary('Get', { key: Buffer.from('h3') }, { metadata: md(basic('reader', 'r-pw')) }),
      );
      expect(off.code).toBe(grpc.status.UNAUTHENTICATED);
    } finally {
      admin.disconnect();
    }
  });
});

describe('requirepass on the HTTP and gRPC doors', () => {
  it('refuses anonymous requests; the password as a Bearer token opens the default user', async () => {
    const cairn = await startCairn({ args: ['--requirepass', 'pa55'] });
    const base = `http://127.0.0.1:${cairn.httpPort}`;
    const rpc = cairnClient(cairn.grpcPort);
    try {
      expect((await call(base, 'GET', '/v1/keys/x')).status).toBe(401);
      const ok = await call(base, 'POST', '/', ['CONFIG', 'GET', 'maxclients'], {
        authorization: 'Bearer pa55',
      });
      expect(ok.status).toBe(200);
      expect((await statusOf(rpc.unary('Get', { key: Buffer.from('x') }))).code).toBe(
        grpc.status.UNAUTHENTICATED,
      );
      const res = await rpc.unary('Execute', args('CONFIG', 'GET', 'maxclients'), {
        metadata: md({ authorization: 'Bearer pa55' }),
      });
      expect(Buffer.from(res.reply.map.entries[0].key.bulk).toString()).toBe('maxclients');
    } finally {
      rpc.close();
      await cairn.stop();
    }
  });
});
