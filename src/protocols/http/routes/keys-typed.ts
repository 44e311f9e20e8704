/**
 * Whole collections on `/v1/keys/{key}`, as thin mappings onto commands. GET of a key TYPE
 * says is not a string: HGETALL / LRANGE 0 -1 / SMEMBERS / ZRANGE 0 -1 WITHSCORES, then PTTL. PUT of a collection: MULTI, DEL, HSET / RPUSH / SADD /
 * ZADD (in chunks), the expiry, EXEC: the key is replaced atomically, and a command refused
 * while queueing (arguments, ACL, out of memory) leaves it untouched.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../commands/context.js';
import type { Reply } from '../../../commands/reply.js';
import { ErrorReply, Errors } from '../../../errors.js';
import { type CollectionKind, type ReadResult, readAs, type WholeValue } from '../../typed-value.js';
import type { HttpBridge } from '../bridge.js';
import { decodeText } from '../bytes.js';
import { after, badRequest, conditionFailed, type Done, fail, notFound, unexpected } from '../respond.js';
import { GetResponse } from '../schemas.js';
import {
  type CollectionPutBody,
  HashGetResponse,
  ListGetResponse,
  SetGetResponse,
  StreamGetResponse,
  ZSetGetResponse,
} from '../schemas-typed.js';
import { JSON_UTF8, keyText, ttlOf, wantsRaw } from './key-path.js';
import { collectionBody } from './typed-body.js';

const word = (s: string) => Buffer.from(s, 'latin1');
const PTTL = word('PTTL');
const PEXPIRETIME = word('PEXPIRETIME');
const PEXPIRE = word('PEXPIRE');
const PEXPIREAT = word('PEXPIREAT');
const MULTI = [word('MULTI')];
const EXEC = [word('EXEC')];
const DISCARD = [word('DISCARD')];
const DEL = word('DEL');
const HSET = word('HSET');
const RPUSH = word('RPUSH');
const SADD = word('SADD');
const ZADD = word('ZADD');

/** Elements per write command: bounds each command's work and argv, however large the body. */
export const WRITE_CHUNK_ELEMENTS = 1024;
const OK_JSON = '{"ok":true}';

const SCHEMA = {
  string: GetResponse,
  hash: HashGetResponse,
  list: ListGetResponse,
  set: SetGetResponse,
  zset: ZSetGetResponse,
  stream: StreamGetResponse,
} as const;

function settle(r: ReadResult | Promise<ReadResult>, fn: (r: ReadResult) => Done): Done {
  return r instanceof Promise ? r.then(fn) : fn(r);
}

// ---- GET --------------------------------------------------------------------------------------

/** GET of a key TYPE says is a collection: the collection, whole, and its time to live. */
export function readTyped(
  bridge: HttpBridge,
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: CommandContext,
  key: Buffer,
  kind: CollectionKind,
): Done {
  // A collection has no raw bytes to send.
  if (wantsRaw(req)) return fail(reply, Errors.wrongType);
  const run = (argv: Buffer[]) => bridge.run(ctx, argv);
  return settle(readAs(run, key, kind), (v) => {
    if (v === null) return fail(reply, notFound);
    if (v instanceof ErrorReply) return fail(reply, v);
    return after(run([PTTL, key]), (t) => sendWhole(req, reply, key, v, t));
  });
}

function sendWhole(req: FastifyRequest, reply: FastifyReply, key: Buffer, v: WholeValue, t: Reply): Done {
  const ttl = ttlOf(t);
  if (ttl instanceof ErrorReply) return fail(reply, ttl);
  const k = keyText(req, key);
  const { value, encoding } = collectionBody(v);
  const body =
    k.encoding === 'utf8'
      ? { key: k.text, type: v.type, value, encoding, ttl_ms: ttl }
      : { key: k.text, key_encoding: k.encoding, type: v.type, value, encoding, ttl_ms: ttl };
  reply.type(JSON_UTF8).send(reply.serializeInput(body, SCHEMA[v.type]));
}

// ---- PUT --------------------------------------------------------------------------------------

/** The write commands for a body, chunked; or why the body is not acceptable. */
export function writeArgvs(key: Buffer, body: CollectionPutBody): Buffer[][] | ErrorReply {
  const enc = body.encoding;
  const bad = badRequest(`value is not valid ${enc ?? 'text'}`);
  const out: Buffer[][] = [];
  let cur: Buffer[] | null = null;
  let n = 0;
  const push = (cmd: Buffer, ...args: Buffer[]) => {
    if (cur === null || n === WRITE_CHUNK_ELEMENTS) {
      cur = [cmd, key];
      out.push(cur);
      n = 0;
    }
    cur.push(...args);
    n++;
  };
  switch (body.type) {
    case 'hash':
      for (const f of Object.keys(body.value)) {
        const field = decodeText(f, enc);
        const value = decodeText(body.value[f], enc);
        if (field === null || value === null) return bad;
        push(HSET, field, value);
      }
      break;
    case 'list':
    case 'set':
      for (const s of body.value) {
        const item = decodeText(s, enc);
        if (item === null) return bad;
        push(body.type === 'list' ? RPUSH : SADD, item);
      }
      break;
    case 'zset':
      for (const { member, score } of body.value) {
        const m = decodeText(member, enc);
        if (m === null) return bad;
        push(ZADD, scoreArg(score), m);
      }
      break;
  }
  return out;
}

/** A JSON score as ZADD's argument: the shortest text that reads back as the same double. */
function scoreArg(score: number | string): Buffer {
  if (typeof score === 'string') return word(score);
  return word(Object.is(score, -0) ? '-0' : String(score));
}

/** PUT of a collection: replace the key in one transaction. */
export function writeTyped(
  bridge: HttpBridge,
  reply: FastifyReply,
  ctx: CommandContext,
  key: Buffer,
  body: CollectionPutBody,
): Done {
  if (body.ttl_ms !== undefined && body.keep_ttl)
    return fail(reply, badRequest('ttl_ms and keep_ttl cannot be combined'));
  const writes = writeArgvs(key, body);
  if (writes instanceof ErrorReply) return fail(reply, writes);
  const cmds = [[DEL, key], ...writes];
  if (body.ttl_ms !== undefined) cmds.push([PEXPIRE, key, word(String(body.ttl_ms))]);
  if (body.condition === undefined && !body.keep_ttl) return transact(bridge, reply, ctx, cmds);
  // The key's state first; nothing runs in between (commands and this door are synchronous).
  return after(bridge.run(ctx, [PEXPIRETIME, key]), (t) => {
    if (t instanceof ErrorReply) return fail(reply, t);
    if (typeof t !== 'number') return fail(reply, unexpected(t));
    if (body.condition === 'if-absent' && t !== -2) return fail(reply, conditionFailed);
    if (body.condition === 'if-present' && t === -2) return fail(reply, conditionFailed);
    if (body.keep_ttl && t >= 0) cmds.push([PEXPIREAT, key, word(String(t))]);
    return transact(bridge, reply, ctx, cmds);
  });
}

/** MULTI, the commands, EXEC; a command refused while queueing discards them all. */
function transact(bridge: HttpBridge, reply: FastifyReply, ctx: CommandContext, cmds: Buffer[][]): Done {
  const abort = (err: ErrorReply): Done => {
    if (ctx.client.multi !== null) bridge.run(ctx, DISCARD);
    return fail(reply, err);
  };
  const queue = (i: number): Done => {
    if (i === cmds.length) return after(bridge.run(ctx, EXEC), (r) => executed(reply, r));
    return after(bridge.run(ctx, cmds[i]), (q) => (q instanceof ErrorReply ? abort(q) : queue(i + 1)));
  };
  return after(bridge.run(ctx, MULTI), (r) => (r instanceof ErrorReply ? fail(reply, r) : queue(0)));
}

function executed(reply: FastifyReply, r: Reply): Done {
  if (r instanceof ErrorReply) return fail(reply, r);
  if (!Array.isArray(r)) return fail(reply, unexpected(r));
  for (const x of r) if (x instanceof ErrorReply) return fail(reply, x);
  reply.type(JSON_UTF8).send(OK_JSON);
}
