/**
 * Every unary RPC of cairn.v1.CairnService through a real grpc-js client built from the .proto,
 * against the gRPC door on an in-process server (real command table, manual clock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpc, startGrpcInProcess, statusOf } from './helpers/grpc.js';

const B = (s: string) => Buffer.from(s);
const { status } = grpc;

let s: Awaited<ReturnType<typeof startGrpcInProcess>>;
beforeAll(async () => {
  s = await startGrpcInProcess({ user: 'ops on >ops-pw ~* +@all' });
});
afterAll(async () => {
  await s?.close();
});

const call = (method: string, req: Record<string, unknown>, opts?: Parameters<typeof s.client.unary>[2]) =>
  s.client.unary(method, req, opts);

describe('Get / Set', () => {
  it('round-trips binary keys and values', async () => {
    const key = Buffer.from([0, 1, 0xff, 0x0d, 0x0a]);
    const value = Buffer.from([0xc3, 0x28, 0, 0xfe]);
    expect(await call('Set', { key, value })).toEqual({});
    expect((await call('Get', { key })).value).toEqual(value);
    // Byte-identical through the command table (what RESP and HTTP read).
    expect(await s.ts.run(s.ts.client(), 'GET', key)).toEqual(value);
  });

  it('answers NOT_FOUND with the stable error code for a missing key', async () => {
    const err = await statusOf(call('Get', { key: B('rpc:missing') }));
    expect(err.code).toBe(status.NOT_FOUND);
    expect(err.metadata.get('cairn-error-code')).toEqual(['not_found']);
  });

  it('sets expiries: ttl_ms, expire_at_ms, keep_ttl', async () => {
    const now = s.ts.clock.now();
    await call('Set', { key: B('rpc:ttl'), value: B('v'), ttl_ms: '5000' });
    expect(Number((await call('Ttl', { key: B('rpc:ttl') })).ttl_ms)).toBe(5000);
    await call('Set', { key: B('rpc:ttl'), value: B('v2'), keep_ttl: true });
    expect(Number((await call('Ttl', { key: B('rpc:ttl') })).ttl_ms)).toBe(5000);
    await call('Set', { key: B('rpc:ttl'), value: B('v3') });
    expect((await call('Ttl', { key: B('rpc:ttl') })).ttl_ms ?? null).toBeNull();
    await call('Set', { key: B('rpc:at'), value: B('v'), expire_at_ms: String(now + 2000) });
    expect(Number((await call('Ttl', { key: B('rpc:at') })).ttl_ms)).toBe(2000);
    s.ts.clock.advance(2001);
    expect((await statusOf(call('Get', { key: B('rpc:at') }))).code).toBe(status.NOT_FOUND);
  });

  it('refuses a non-positive ttl as INVALID_ARGUMENT', async () => {
    const err = await statusOf(call('Set', { key: B('rpc:bad'), value: B('v'), ttl_ms: '0' }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain("invalid expire time in 'set' command");
  });

  it('honours if_absent / if_present with FAILED_PRECONDITION', async () => {
    const key = B('rpc:cond');
    expect(await call('Set', { key, value: B('1'), condition: 'SET_CONDITION_IF_ABSENT' })).toEqual({});
    const err = await statusOf(call('Set', { key, value: B('2'), condition: 'SET_CONDITION_IF_ABSENT' }));
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.metadata.get('cairn-error-code')).toEqual(['condition_failed']);
    expect((await call('Get', { key })).value).toEqual(B('1'));
    const missing = await statusOf(
      call('Set', { key: B('rpc:cond-missing'), value: B('x'), condition: 'SET_CONDITION_IF_PRESENT' }),
    );
    expect(missing.code).toBe(status.FAILED_PRECONDITION);
    expect(await call('Set', { key, value: B('3'), condition: 'SET_CONDITION_IF_PRESENT' })).toEqual({});
  });

  it('returns the previous value', async () => {
    const key = B('rpc:prev');
    const first = await call('Set', { key, value: B('a'), return_previous: true });
    expect(first.previous ?? null).toBeNull();
    expect((await call('Set', { key, value: B('b'), return_previous: true })).previous).toEqual(B('a'));
    const nx = await statusOf(
      call('Set', { key, value: B('c'), return_previous: true, condition: 'SET_CONDITION_IF_ABSENT' }),
    );
    expect(nx.code).toBe(status.FAILED_PRECONDITION);
    const xx = await call('Set', {
      key,
      value: B('d'),
      return_previous: true,
      condition: 'SET_CONDITION_IF_PRESENT',
    });
    expect(xx.previous).toEqual(B('b'));
  });
});

describe('multi-key RPCs', () => {
  it('Delete and Exists count keys', async () => {
    await call('MSet', { entries: [1, 2, 3].map((i) => ({ key: B(`rpc:d${i}`), value: B(String(i)) })) });
    expect(Number((await call('Exists', { keys: [B('rpc:d1'), B('rpc:d1'), B('rpc:nope')] })).count)).toBe(2);
    expect(Number((await call('Delete', { keys: [B('rpc:d1'), B('rpc:d2'), B('rpc:nope')] })).deleted)).toBe(
      2,
    );
    expect(Number((await call('Exists', { keys: [B('rpc:d1'), B('rpc:d3')] })).count)).toBe(1);
  });

  it('MGet answers one entry per key, in order', async () => {
    await call('MSet', { entries: [{ key: B('rpc:m1'), value: B('one') }] });
    const r = await call('MGet', { keys: [B('rpc:m1'), B('rpc:m-missing'), B('rpc:m1')] });
    expect(
      r.values.map((v: { found: boolean; value: Buffer }) => (v.found ? v.value.toString() : null)),
    ).toEqual(['one', null, 'one']);
  });

  it('MSet if_all_absent writes nothing unless every key is absent', async () => {
    await call('Set', { key: B('rpc:nx1'), value: B('old') });
    const err = await statusOf(
      call('MSet', {
        entries: [
          { key: B('rpc:nx1'), value: B('new') },
          { key: B('rpc:nx2'), value: B('new') },
        ],
        if_all_absent: true,
      }),
    );
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect((await statusOf(call('Get', { key: B('rpc:nx2') }))).code).toBe(status.NOT_FOUND);
    await call('MSet', { entries: [{ key: B('rpc:nx3'), value: B('x') }], if_all_absent: true });
    expect((await call('Get', { key: B('rpc:nx3') })).value).toEqual(B('x'));
  });

  it('refuses an empty key list as INVALID_ARGUMENT', async () => {
    expect((await statusOf(call('Delete', { keys: [] }))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('Incr', () => {
  it('adds 1 by default, any int64 otherwise', async () => {
    expect((await call('Incr', { key: B('rpc:n') })).value).toBe('1');
    expect((await call('Incr', { key: B('rpc:n'), by: '-6' })).value).toBe('-5');
    await call('Set', { key: B('rpc:big'), value: B('9223372036854775806') });
    expect((await call('Incr', { key: B('rpc:big') })).value).toBe('9223372036854775807');
    expect((await statusOf(call('Incr', { key: B('rpc:big') }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('refuses a value that is not an integer', async () => {
    await call('Set', { key: B('rpc:s'), value: B('abc') });
    const err = await statusOf(call('Incr', { key: B('rpc:s') }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe('value is not an integer or out of range');
  });
});

describe('Expire / Ttl / Persist', () => {
  it('sets, reads and removes expiries', async () => {
    const key = B('rpc:e');
    await call('Set', { key, value: B('v') });
    expect((await call('Expire', { key, ttl_ms: '10000' })).applied).toBe(true);
    expect(Number((await call('Ttl', { key })).ttl_ms)).toBe(10000);
    expect(
      (await call('Expire', { key, ttl_ms: '1', condition: 'EXPIRE_CONDITION_IF_NO_EXPIRY' })).applied,
    ).toBe(false);
    expect(
      (await call('Expire', { key, ttl_ms: '20000', condition: 'EXPIRE_CONDITION_IF_LATER' })).applied,
    ).toBe(true);
    expect((await call('Persist', { key })).removed).toBe(true);
    expect((await call('Persist', { key })).removed).toBe(false);
    expect((await call('Ttl', { key })).ttl_ms ?? null).toBeNull();
    const at = s.ts.clock.now() + 3000;
    expect((await call('Expire', { key, expire_at_ms: String(at) })).applied).toBe(true);
    expect(Number((await call('Ttl', { key })).ttl_ms)).toBe(3000);
  });

  it('answers missing keys: applied=false, Ttl NOT_FOUND', async () => {
    expect((await call('Expire', { key: B('rpc:none'), ttl_ms: '1000' })).applied).toBe(false);
    expect((await statusOf(call('Ttl', { key: B('rpc:none') }))).code).toBe(status.NOT_FOUND);
  });

  it('requires ttl_ms or expire_at_ms', async () => {
    expect((await statusOf(call('Expire', { key: B('rpc:e') }))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('Execute', () => {
  const exec = async (...args: Array<string | Buffer>) =>
    (await call('Execute', { args: args.map((a) => (typeof a === 'string' ? B(a) : a)) })).reply;

  it('runs any command and carries each reply kind', async () => {
    expect(await exec('PING')).toMatchObject({ kind: 'simple', simple: 'PONG' });
    expect(await exec('SET', 'rpc:x', 'y')).toMatchObject({ kind: 'simple', simple: 'OK' });
    expect(await exec('GET', 'rpc:x')).toMatchObject({ kind: 'bulk', bulk: B('y') });
    expect(await exec('GET', 'rpc:nothing')).toMatchObject({ kind: 'null', null: true });
    expect(await exec('APPEND', 'rpc:x', 'z')).toMatchObject({ kind: 'integer', integer: '2' });
    const mget = await exec('MGET', 'rpc:x', 'rpc:nothing');
    expect(mget.kind).toBe('array');
    expect(mget.array.items.map((i: { kind: string }) => i.kind)).toEqual(['bulk', 'null']);
    const docs = await exec('COMMAND', 'DOCS', 'get');
    expect(docs.kind).toBe('map');
    expect(docs.map.entries[0].key).toMatchObject({ kind: 'bulk', bulk: B('get') });
    // RESP3 shapes: INFO is a verbatim string, with the door's own section. INFO is @dangerous:
    // over gRPC it needs a user with a password.
    const ops = new grpc.Metadata();
    ops.set('username', 'ops');
    ops.set('password', 'ops-pw');
    expect((await statusOf(call('Execute', { args: [B('INFO')] }))).code).toBe(status.PERMISSION_DENIED);
    const info = (await call('Execute', { args: [B('INFO'), B('grpc')] }, { metadata: ops })).reply;
    expect(info.kind).toBe('verbatim');
    expect(info.verbatim.text).toContain(`grpc_port:${s.door.port}`);
    expect(info.verbatim.text).toContain('grpc_watch_streams:0');
  });

  it('answers top-level errors as statuses from the error table', async () => {
    const unknown = await statusOf(call('Execute', { args: [B('NOSUCHCMD')] }));
    expect(unknown.code).toBe(status.UNIMPLEMENTED);
    expect(unknown.details).toContain("unknown command 'NOSUCHCMD'");
    const arity = await statusOf(call('Execute', { args: [B('GET')] }));
    expect(arity.code).toBe(status.INVALID_ARGUMENT);
    expect(arity.details).toBe("wrong number of arguments for 'get' command");
    await exec('SET', 'rpc:str', 'abc');
    expect((await statusOf(call('Execute', { args: [B('INCR'), B('rpc:str')] }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    expect((await statusOf(call('Execute', { args: [] }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('refuses connection-scoped commands', async () => {
    const err = await statusOf(call('Execute', { args: [B('MULTI')] }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^'multi' is not available over gRPC: /);
    const sub = await statusOf(call('Execute', { args: [B('CLIENT'), B('SETNAME'), B('x')] }));
    expect(sub.details).toMatch(/^'client setname' is not available over gRPC/);
  });

  it('selects the database from the request', async () => {
    await call('Execute', { args: [B('SET'), B('rpc:db'), B('one')], db: 1 });
    expect((await call('Get', { key: B('rpc:db'), db: 1 })).value).toEqual(B('one'));
    expect((await statusOf(call('Get', { key: B('rpc:db') }))).code).toBe(status.NOT_FOUND);
    const bad = await statusOf(call('Get', { key: B('k'), db: 16 }));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toBe('DB index is out of range');
  });
});
