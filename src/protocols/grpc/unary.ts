/**
 * The shape shared by every unary RPC: open the call (gate), turn the request into an argv,
 * run it through the dispatcher like any other door, and turn the reply into the response
 * message or a status. The per-RPC mappings live in rpcs.ts.
 */
import type { handleUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { Reply } from '../../commands/reply.js';
import { ErrorReply } from '../../errors.js';
import type { DoorHost } from '../door.js';
import type { CallGate } from './calls.js';
import { internalStatus, toStatus } from './status.js';

/** Request -> argv (or an error for a request that cannot be expressed). */
export type BuildArgv<Req> = (req: Req) => Buffer[] | ErrorReply;
/** Non-error reply -> response (or an error such as NOT_FOUND). */
export type RenderReply<Req, Res> = (reply: Reply, req: Req) => Res | ErrorReply;

export interface UnaryDeps {
  host: DoorHost;
  gate: CallGate;
}

export function unary<Req extends { db: number }, Res>(
  deps: UnaryDeps,
  build: BuildArgv<Req>,
  render: RenderReply<Req, Res>,
): handleUnaryCall<Req, Res> {
  const { host, gate } = deps;
  const load = gate.load;
  return (call, callback) => {
    const req = call.request;
    const ctx = gate.open(call, req.db);
    if (ctx instanceof ErrorReply) return callback(toStatus(ctx));
    const argv = build(req);
    if (argv instanceof ErrorReply) return callback(toStatus(argv));
    let r: Reply | Promise<Reply>;
    try {
      r = host.execute(ctx, argv);
    } catch (e) {
      return callback(internalStatus(e));
    }
    if (r instanceof Promise) {
      // Only a waiting call can overlap others: it counts toward maxclients until it answers.
      load.inflight++;
      r.then(
        (reply) => {
          load.inflight--;
          respond(callback, render, req, reply);
        },
        (e: unknown) => {
          load.inflight--;
          callback(internalStatus(e));
        },
      );
    } else {
      respond(callback, render, req, r);
    }
  };
}

function respond<Req, Res>(
  callback: sendUnaryData<Res>,
  render: RenderReply<Req, Res>,
  req: Req,
  reply: Reply,
): void {
  const out = reply instanceof ErrorReply ? reply : render(reply, req);
  if (out instanceof ErrorReply) callback(toStatus(out));
  else callback(null, out);
}

/** protobuf-es `bytes` as a Buffer (a view, no copy; the engine copies what it keeps). */
export function buf(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

export function intArg(n: bigint | number): Buffer {
  return Buffer.from(String(n), 'latin1');
}

const unexpected = (what: string) => new ErrorReply('INTERNAL', `ERR unexpected reply to ${what}`);

/** An integer reply as int64 (bigint), or an INTERNAL error when the command answered otherwise. */
export function asInt64(r: Reply, what: string): bigint | ErrorReply {
  if (typeof r === 'number') return BigInt(r);
  if (typeof r === 'bigint') return r;
  return unexpected(what);
}

export function asNumber(r: Reply, what: string): number | ErrorReply {
  if (typeof r === 'number') return r;
  if (typeof r === 'bigint') return Number(r);
  return unexpected(what);
}

export { unexpected };
