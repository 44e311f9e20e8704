/**
 * Each dedicated unary RPC as a thin mapping onto one command of the table: the argv it sends
 * and how the reply becomes the response message (Get, which may take three, is in get.ts). Behaviour (syntax errors, types, expiry) is
 * the command's; only gRPC-specific outcomes live here (NOT_FOUND for a missing key,
 * FAILED_PRECONDITION for a condition that was not met).
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { SimpleReply } from '../../commands/reply.js';
import { ErrorReply } from '../../errors.js';
import {
  type DeleteRequest,
  type DeleteResponse,
  type ExecuteRequest,
  type ExecuteResponse,
  type ExistsRequest,
  type ExistsResponse,
  ExpireCondition,
  type ExpireRequest,
  type ExpireResponse,
  type IncrRequest,
  type IncrResponse,
  type MGetRequest,
  type MGetResponse,
  type MSetRequest,
  type MSetResponse,
  type OptionalValue,
  type PersistRequest,
  type PersistResponse,
  SetCondition,
  type SetRequest,
  type SetResponse,
  type TtlRequest,
  type TtlResponse,
} from '../../gen/cairn/v1/cairn_pb.js';
import { GrpcExclusions } from './excluded.js';
import { getHandler } from './get.js';
import { toPbReply } from './reply.js';
import { CONDITION_NOT_MET, KEY_NOT_FOUND, missingField } from './status.js';
import { asInt64, asNumber, buf, intArg, type UnaryDeps, unary, unexpected } from './unary.js';

const word = (s: string) => Buffer.from(s, 'latin1');
const GET = word('GET');
const SET = word('SET');
const DEL = word('DEL');
const MGET = word('MGET');
const MSET = word('MSET');
const MSETNX = word('MSETNX');
const INCRBY = word('INCRBY');
const PEXPIRE = word('PEXPIRE');
const PEXPIREAT = word('PEXPIREAT');
const PTTL = word('PTTL');
const PERSIST = word('PERSIST');
const EXISTS = word('EXISTS');
const NX = word('NX');
const XX = word('XX');
const GT = word('GT');
const LT = word('LT');
const PX = word('PX');
const PXAT = word('PXAT');
const KEEPTTL = word('KEEPTTL');
const ONE = word('1');

const EXPIRE_CONDITION: Record<ExpireCondition, Buffer | null> = {
  [ExpireCondition.UNSPECIFIED]: null,
  [ExpireCondition.IF_NO_EXPIRY]: NX,
  [ExpireCondition.IF_HAS_EXPIRY]: XX,
  [ExpireCondition.IF_LATER]: GT,
  [ExpireCondition.IF_EARLIER]: LT,
};

const isOk = (r: unknown): boolean => r instanceof SimpleReply;

function keysArgv(cmd: Buffer, keys: Uint8Array[]): Buffer[] {
  const argv = new Array<Buffer>(keys.length + 1);
  argv[0] = cmd;
  for (let i = 0; i < keys.length; i++) argv[i + 1] = buf(keys[i]);
  return argv;
}

export function cairnRpcs(deps: UnaryDeps): UntypedServiceImplementation {
  const excluded = new GrpcExclusions(deps.host.table);
  return {
    Get: getHandler(deps),

    Set: unary<SetRequest, SetResponse>(
      deps,
      (req) => {
        const argv = [SET, buf(req.key), buf(req.value)];
        if (req.condition === SetCondition.IF_ABSENT) argv.push(NX);
        else if (req.condition === SetCondition.IF_PRESENT) argv.push(XX);
        if (req.returnPrevious) argv.push(GET);
        const e = req.expiry;
        if (e.case === 'ttlMs') argv.push(PX, intArg(e.value));
        else if (e.case === 'expireAtMs') argv.push(PXAT, intArg(e.value));
        else if (e.case === 'keepTtl' && e.value) argv.push(KEEPTTL);
        return argv;
      },
      (r, req) => {
        const cond = req.condition;
        if (!req.returnPrevious) {
          // SET answers OK when it wrote, null when NX/XX stopped it.
          if (r === null) return CONDITION_NOT_MET;
          return { $typeName: 'cairn.v1.SetResponse' };
        }
        // With GET the reply is the old value (or null); whether it wrote follows from it.
        if (r !== null && !Buffer.isBuffer(r)) return unexpected('SET');
        if (cond === SetCondition.IF_ABSENT && r !== null) return CONDITION_NOT_MET;
        if (cond === SetCondition.IF_PRESENT && r === null) return CONDITION_NOT_MET;
        return r === null
          ? { $typeName: 'cairn.v1.SetResponse' }
          : { $typeName: 'cairn.v1.SetResponse', previous: r };
      },
    ),

    Delete: unary<DeleteRequest, DeleteResponse>(
      deps,
      (req) => keysArgv(DEL, req.keys),
      (r) => {
        const n = asInt64(r, 'DEL');
        return n instanceof ErrorReply ? n : { $typeName: 'cairn.v1.DeleteResponse', deleted: n };
      },
    ),

    MGet: unary<MGetRequest, MGetResponse>(
      deps,
      (req) => keysArgv(MGET, req.keys),
      (r) => {
        if (!Array.isArray(r)) return unexpected('MGET');
        const values: OptionalValue[] = r.map((v) =>
          Buffer.isBuffer(v)
            ? { $typeName: 'cairn.v1.OptionalValue', found: true, value: v }
            : { $typeName: 'cairn.v1.OptionalValue', found: false, value: EMPTY },
        );
        return { $typeName: 'cairn.v1.MGetResponse', values };
      },
    ),

    MSet: unary<MSetRequest, MSetResponse>(
      deps,
      (req) => {
        const argv = new Array<Buffer>(req.entries.length * 2 + 1);
        argv[0] = req.ifAllAbsent ? MSETNX : MSET;
        for (let i = 0; i < req.entries.length; i++) {
          argv[2 * i + 1] = buf(req.entries[i].key);
          argv[2 * i + 2] = buf(req.entries[i].value);
        }
        return argv;
      },
      (r) =>
        isOk(r) || r === 1
          ? { $typeName: 'cairn.v1.MSetResponse' }
          : r === 0
            ? CONDITION_NOT_MET
            : unexpected('MSET'),
    ),

    Incr: unary<IncrRequest, IncrResponse>(
      deps,
      (req) => [INCRBY, buf(req.key), req.by === undefined ? ONE : intArg(req.by)],
      (r) => {
        const n = asInt64(r, 'INCRBY');
        return n instanceof ErrorReply ? n : { $typeName: 'cairn.v1.IncrResponse', value: n };
      },
    ),

    Expire: unary<ExpireRequest, ExpireResponse>(
      deps,
      (req) => {
        const w = req.when;
        if (w.case === undefined) return missingField('ttl_ms or expire_at_ms');
        const argv = [w.case === 'ttlMs' ? PEXPIRE : PEXPIREAT, buf(req.key), intArg(w.value)];
        const cond = EXPIRE_CONDITION[req.condition];
        if (cond === undefined) return new ErrorReply('ERR', `ERR unknown expire condition ${req.condition}`);
        if (cond !== null) argv.push(cond);
        return argv;
      },
      (r) => {
        const n = asNumber(r, 'PEXPIRE');
        return n instanceof ErrorReply ? n : { $typeName: 'cairn.v1.ExpireResponse', applied: n === 1 };
      },
    ),

    Ttl: unary<TtlRequest, TtlResponse>(
      deps,
      (req) => [PTTL, buf(req.key)],
      (r) => {
        const n = asInt64(r, 'PTTL');
        if (n instanceof ErrorReply) return n;
        if (n === -2n) return KEY_NOT_FOUND;
        return n === -1n
          ? { $typeName: 'cairn.v1.TtlResponse' }
          : { $typeName: 'cairn.v1.TtlResponse', ttlMs: n };
      },
    ),

    Persist: unary<PersistRequest, PersistResponse>(
      deps,
      (req) => [PERSIST, buf(req.key)],
      (r) => {
        const n = asNumber(r, 'PERSIST');
        return n instanceof ErrorReply ? n : { $typeName: 'cairn.v1.PersistResponse', removed: n === 1 };
      },
    ),

    Exists: unary<ExistsRequest, ExistsResponse>(
      deps,
      (req) => keysArgv(EXISTS, req.keys),
      (r) => {
        const n = asInt64(r, 'EXISTS');
        return n instanceof ErrorReply ? n : { $typeName: 'cairn.v1.ExistsResponse', count: n };
      },
    ),

    Execute: unary<ExecuteRequest, ExecuteResponse>(
      deps,
      (req) => {
        if (req.args.length === 0) return missingField('args[0] (the command name)');
        const argv = req.args.map(buf);
        return excluded.check(argv) ?? argv;
      },
      (r) => ({ $typeName: 'cairn.v1.ExecuteResponse', reply: toPbReply(r) }),
    ),
  };
}

const EMPTY = Buffer.alloc(0);
