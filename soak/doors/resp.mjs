/**
 * The RESP door through ioredis and node-redis (RESP2 or RESP3): single commands, pipelines,
 * MULTI/EXEC, and clients that vanish (QUIT politely, end or destroy the socket with commands
 * in flight, or send a pipeline whose last command is cut short and reset the connection).
 * With `access` ({ ca, username, password }, the secure soak) every connection is TLS, trusting
 * only `ca`, and logs in as that ACL user.
 */
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Redis, ReplyError } from 'ioredis';
import { createClient, ErrorReply, RESP_TYPES } from 'redis';
import { classOf, isVolatileClass } from '../values.mjs';
import { argvOf, killDelay, NEVER, ok, refused, respCode, transportCode, unknown } from './result.mjs';

const HOST = '127.0.0.1';
const IOREDIS_OPTIONS = { host: HOST, maxRetriesPerRequest: 0, retryStrategy: () => null };

/**
 * ioredis options for `port`, over TLS and logged in when `access` is given. The ready check
 * (INFO) is off then: an ACL user without @dangerous may not run INFO, and ioredis's own advice
 * for such users is to skip it.
 */
export function ioredisOptions(port, access) {
  if (!access) return { ...IOREDIS_OPTIONS, port };
  const { ca, username, password } = access;
  return { ...IOREDIS_OPTIONS, port, tls: { ca }, username, password, enableReadyCheck: false };
}

function ioResult(p) {
  return p.then((v) => ok(v), ioError);
}

/** ioredis `[err, value]` pairs to results. */
function ioPairs(pairs) {
  return pairs.map(([e, v]) => (e ? ioError(e) : ok(v)));
}

function ioError(e) {
  return e instanceof ReplyError
    ? refused(respCode(e.message), e.message)
    : unknown(transportCode(e), e.message);
}

function ioCommand(r, op) {
  switch (op.op) {
    case 'set':
      return op.ttlMs === undefined ? r.set(op.key, op.value) : r.set(op.key, op.value, 'PX', op.ttlMs);
    case 'get':
      return r.getBuffer(op.key);
    case 'del':
      return r.del(op.key);
    default:
      return r.incrby(op.key, op.by);
  }
}

export class IoredisDoor {
  constructor(port, access) {
    this.door = 'resp';
    this.name = 'ioredis';
    this.port = port;
    this.access = access;
    this.r = null;
    this.atomics = 0;
  }

  client() {
    if (this.r === null || this.r.status === 'end') {
      this.r?.disconnect();
      this.r = new Redis(ioredisOptions(this.port, this.access));
      this.r.on('error', () => {});
    }
    return this.r;
  }

  single(op) {
    return ioResult(ioCommand(this.client(), op));
  }

  async batch(ops) {
    const p = this.client().pipeline();
    for (const op of ops) ioCommand(p, op);
    try {
      return ioPairs(await p.exec());
    } catch (e) {
      return ops.map(() => unknown(transportCode(e), e.message));
    }
  }

  /**
   * MULTI/EXEC; every other time WATCHing the keys without a TTL first. Nobody else writes an
   * owner's keys, so a watched EXEC that aborts is a spurious invalidation (an error).
   */
  async atomic(ops) {
    const r = this.client();
    const watched = ops.filter((op) => !isVolatileClass(classOf(op.key))).map((op) => op.key);
    const watch = watched.length > 0 && this.atomics++ % 2 === 0;
    try {
      if (watch) await r.watch(...watched);
      const m = r.multi();
      for (const op of ops) ioCommand(m, op);
      const res = await m.exec();
      if (res === null) {
        const aborted = refused(
          'WATCH_ABORTED',
          `EXEC aborted although nobody else wrote ${watched.join(' ')}`,
        );
        return ops.map(() => aborted);
      }
      return ioPairs(res);
    } catch (e) {
      const failed = ioError(e);
      return ops.map(() => failed);
    }
  }

  /** A new connection runs `ops`, then QUITs or goes away mid-request. */
  async vanish(ops, rng) {
    if (rng() < 0.3) return rawPartial(this.port, this.access, ops, rng);
    const r = new Redis({ ...ioredisOptions(this.port, this.access), lazyConnect: true });
    r.on('error', () => {});
    await r.connect();
    const clientId = Number(await r.client('ID'));
    const pending = ops.map((op) => ioResult(ioCommand(r, op)));
    if (rng() < 0.3) {
      const results = await Promise.all(pending);
      await r.quit();
      return { results, fence: null, mode: 'quit' };
    }
    await killDelay(rng);
    if (rng() < 0.5) r.disconnect();
    else r.stream.destroy();
    return { results: await Promise.all(pending), fence: { clientId }, mode: 'kill' };
  }

  async close() {
    await this.r?.quit().catch(() => {});
    this.r?.disconnect();
  }
}

function nrError(e) {
  return e instanceof ErrorReply
    ? refused(respCode(e.message), e.message)
    : unknown(transportCode(e), e.message);
}

function nrResult(p) {
  return p.then((v) => ok(v), nrError);
}

function nrCommand(c, op) {
  switch (op.op) {
    case 'set':
      return op.ttlMs === undefined
        ? c.set(op.key, op.value)
        : c.set(op.key, op.value, { expiration: { type: 'PX', value: op.ttlMs } });
    case 'get':
      return c.get(op.key);
    case 'del':
      return c.del(op.key);
    default:
      return c.incrBy(op.key, op.by);
  }
}

/**
 * node-redis replies of a MULTI (errors may be in place or thrown as MultiErrorReply). Its
 * exec() ignores the client's type mapping and decodes bulk strings as UTF-8 text; the soak's
 * small values are ASCII, so turning them back into bytes is exact.
 */
function nrReplies(replies) {
  return replies.map((v) =>
    v instanceof Error ? nrError(v) : ok(typeof v === 'string' && v !== 'OK' ? Buffer.from(v) : v),
  );
}

export class NodeRedisDoor {
  constructor(port, resp, access) {
    this.door = 'resp';
    this.name = `node-redis RESP${resp}`;
    this.port = port;
    this.resp = resp;
    this.access = access;
    this.c = null;
  }

  async open() {
    const socket = { port: this.port, host: HOST, reconnectStrategy: false };
    const a = this.access;
    const c = createClient(
      a
        ? {
            socket: { ...socket, tls: true, ca: a.ca },
            username: a.username,
            password: a.password,
            RESP: this.resp,
          }
        : { socket, RESP: this.resp },
    );
    c.on('error', () => {});
    await c.connect();
    // Values come back as Buffers (binary-safe), whatever the protocol version.
    return c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  }

  async client() {
    if (this.c === null || !this.c.isReady) {
      this.c?.destroy();
      this.c = await this.open();
    }
    return this.c;
  }

  /** The connected client, or a refusal for every op when it cannot connect (nothing was sent). */
  async ready(ops) {
    try {
      return await this.client();
    } catch (e) {
      const r = refused(`connect ${transportCode(e)}`, e.message);
      return ops.map(() => r);
    }
  }

  async single(op) {
    const c = await this.ready([op]);
    return Array.isArray(c) ? c[0] : nrResult(nrCommand(c, op));
  }

  /** Either commands issued in one tick (node-redis pipelines them) or an explicit pipeline. */
  async batch(ops) {
    const c = await this.ready(ops);
    if (Array.isArray(c)) return c;
    if (ops.length % 2 === 0) return Promise.all(ops.map((op) => nrResult(nrCommand(c, op))));
    const m = c.multi();
    for (const op of ops) nrCommand(m, op);
    try {
      return nrReplies(await m.execAsPipeline());
    } catch (e) {
      return ops.map(() => unknown(transportCode(e), e.message));
    }
  }

  async atomic(ops) {
    const c = await this.ready(ops);
    if (Array.isArray(c)) return c;
    const m = c.multi();
    for (const op of ops) nrCommand(m, op);
    try {
      return nrReplies(await m.exec());
    } catch (e) {
      if (Array.isArray(e.replies)) return nrReplies(e.replies);
      const r = nrError(e);
      return ops.map(() => r);
    }
  }

  async vanish(ops, rng) {
    const c = await this.open();
    const clientId = Number(await c.clientId());
    const pending = ops.map((op) => nrResult(nrCommand(c, op)));
    if (rng() < 0.3) {
      const results = await Promise.all(pending);
      await c.quit();
      return { results, fence: null, mode: 'quit' };
    }
    await killDelay(rng);
    c.destroy();
    return { results: await Promise.all(pending), fence: { clientId }, mode: 'kill' };
  }

  async close() {
    if (this.c?.isOpen) await this.c.close().catch(() => {});
  }
}

function frame(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * A raw socket sends the whole pipeline but the last command only in part, then resets or
 * destroys the connection without reading a reply. The cut command must never run. With
 * `access`, TLS runs over the raw TCP socket (which is what gets reset) after an AUTH.
 */
async function rawPartial(port, access, ops, rng) {
  const raw = createConnection({ port, host: HOST });
  raw.on('error', () => {});
  let s = raw;
  let hello = 'CLIENT ID\r\n';
  if (access) {
    s = tlsConnect({ socket: raw, host: HOST, ca: access.ca });
    s.on('error', () => {});
    await once(s, 'secureConnect');
    hello = frame(['AUTH', access.username, access.password]).toString('latin1') + hello;
  } else await once(s, 'connect');
  s.write(hello);
  const lines = access ? 2 : 1;
  let got = '';
  while (got.split('\r\n').length <= lines) got += (await once(s, 'data'))[0].toString('latin1');
  const m = (access ? /^\+OK\r\n:(\d+)\r\n/ : /^:(\d+)\r\n/).exec(got);
  if (m === null) throw new Error(`CLIENT ID answered ${JSON.stringify(got)}`);
  const frames = ops.map((op) => frame(argvOf(op)));
  const last = frames.pop();
  const cut = 1 + Math.floor(rng() * (last.length - 1));
  s.write(Buffer.concat([...frames, last.subarray(0, cut)]));
  await killDelay(rng);
  if (rng() < 0.5) raw.resetAndDestroy();
  else {
    s.destroy();
    raw.destroy();
  }
  const results = frames.map(() => unknown('closed', 'connection destroyed before any reply was read'));
  results.push(NEVER);
  return { results, fence: { clientId: Number(m[1]) }, mode: 'partial' };
}
