/**
 * Scan: the SCAN command driven to completion, one page per message. Between pages the loop
 * yields to the event loop (other clients are served, a cancellation is noticed) and waits for
 * the stream to drain when the client reads slowly, so memory stays bounded by one page. A
 * cancelled call or a passed deadline stops the loop before the next SCAN.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { CommandContext } from '../../commands/context.js';
import type { Reply } from '../../commands/reply.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { ScanRequest, ScanResponse } from '../../gen/cairn/v1/cairn_pb.js';
import { internalStatus, toStatus } from './status.js';
import type { UnaryDeps } from './unary.js';
import { buf, unexpected } from './unary.js';

/** Keys examined per SCAN call when the request leaves page_size at 0. */
export const SCAN_DEFAULT_PAGE_KEYS = 100;
/** Upper bound on page_size, so one page cannot hold the event loop for long. */
export const SCAN_MAX_PAGE_KEYS = 10_000;

const SCAN = Buffer.from('SCAN');
const MATCH = Buffer.from('MATCH');
const COUNT = Buffer.from('COUNT');
const ZERO = Buffer.from('0');

const GLOB_SPECIAL = new Set([0x2a, 0x3f, 0x5b, 0x5d, 0x5c]); // * ? [ ] backslash

/** A glob matching exactly the keys that start with `prefix` (special characters escaped). */
export function prefixGlob(prefix: Uint8Array): Buffer {
  const out: number[] = [];
  for (const c of prefix) {
    if (GLOB_SPECIAL.has(c)) out.push(0x5c);
    out.push(c);
  }
  out.push(0x2a);
  return Buffer.from(out);
}

type Stream = ServerWritableStream<ScanRequest, ScanResponse>;

/** Resolves when the stream can take more, or the call is cancelled. */
function drained(call: Stream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function scanHandler(deps: UnaryDeps) {
  const { host, gate } = deps;
  return (call: Stream): void => {
    const req = call.request;
    const ctx = gate.open(call, req.db);
    if (ctx instanceof ErrorReply) {
      call.emit('error', toStatus(ctx));
      return;
    }
    // Counts toward maxclients until its last page (load.ts).
    gate.load.inflight++;
    run(ctx, call, req)
      .catch((e: unknown) => call.emit('error', internalStatus(e)))
      .finally(() => gate.load.inflight--);
  };

  async function run(ctx: CommandContext, call: Stream, req: ScanRequest): Promise<void> {
    const m = req.match;
    const pattern = m.case === 'prefix' ? prefixGlob(m.value) : m.case === 'pattern' ? buf(m.value) : null;
    const count = Buffer.from(String(Math.min(req.pageSize || SCAN_DEFAULT_PAGE_KEYS, SCAN_MAX_PAGE_KEYS)));
    const signal = ctx.signal!;
    let cursor: Buffer = ZERO;
    for (;;) {
      if (signal.aborted) return;
      if (ctx.deadline !== 0 && Date.now() >= ctx.deadline) {
        call.emit('error', toStatus(Errors.timeout));
        return;
      }
      const argv =
        pattern === null ? [SCAN, cursor, COUNT, count] : [SCAN, cursor, MATCH, pattern, COUNT, count];
      const reply: Reply = await host.execute(ctx, argv);
      if (reply instanceof ErrorReply) {
        call.emit('error', toStatus(reply));
        return;
      }
      if (
        !Array.isArray(reply) ||
        reply.length !== 2 ||
        !Buffer.isBuffer(reply[0]) ||
        !Array.isArray(reply[1])
      ) {
        call.emit('error', toStatus(unexpected('SCAN')));
        return;
      }
      // Copied: the stream may serialize the page later, and an engine's buffers are only
      // guaranteed until its next change.
      const keys = (reply[1] as Buffer[]).map((k) => Buffer.from(k));
      if (keys.length > 0 && !call.write({ $typeName: 'cairn.v1.ScanResponse', keys })) {
        await drained(call, signal);
      }
      cursor = reply[0];
      if (cursor.length === 1 && cursor[0] === 0x30) break;
      await nextTick();
    }
    call.end();
  }
}
