/**
 * The cheap path of out-of-band pushes (pub/sub messages, invalidations, MONITOR lines) on a RESP
 * connection: when they leave, how their bytes are appended, how the output limits are checked.
 *
 * When: once per turn of the event loop for every connection that got some, after all the input
 * of that turn ran.
 *
 * Redis writes each client's output in beforeSleep, after serving every readable socket of one
 * epoll iteration, so one write carries what all the publishers of that iteration sent. Node
 * calls back once per readable socket; flushing at the end of each callback (a microtask) would
 * cost one socket write per subscriber per publisher chunk. One setImmediate per turn runs after
 * the poll phase that delivered the chunks, so each subscriber gets one write for all of them.
 *
 * A connection that runs a command before then writes its pending pushes with that command's
 * reply (same output buffer, so the order holds); its flush below then finds nothing to send.
 */
import type { ClientState } from '../../commands/context.js';
import type { OutputBuffer } from './encoder.js';
import type { OutputLimits } from './limits.js';

let queue: Array<() => void> = [];
let spare: Array<() => void> = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // Swap first: a flush that schedules again lands in the next turn's queue.
  const fns = queue;
  queue = spare;
  spare = fns;
  for (let i = 0; i < fns.length; i++) {
    try {
      fns[i]();
    } catch {
      // The connection's flush isolates its own failures; one must never stop the others.
    }
  }
  fns.length = 0;
}

/** Run `flush` once later in this turn of the event loop (the caller dedupes per connection). */
export function schedulePushFlush(flush: () => void): void {
  queue.push(flush);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

/** Append rendered bytes (TypedArray.set: a memmove, cheaper than Buffer#copy for small ones). */
export function appendWire(out: OutputBuffer, wire: Buffer): void {
  const n = wire.length;
  out.reserve(n);
  out.buf.set(wire, out.len);
  out.len += n;
}

/**
 * Whether output of at most `bound` bytes could be past a limit. A connection passes the bytes
 * it holds plus socket.writableLength as of its last write: only its flush writes to the socket
 * and the socket's queue only shrinks in between, so that bounds what is queued without reading
 * the socket's getters on every push; past a limit, the exact check runs.
 */
export function mayExceed(lim: OutputLimits, bound: number): boolean {
  return (lim.hardBytes > 0 && bound > lim.hardBytes) || (lim.softBytes > 0 && bound > lim.softBytes);
}

/**
 * `PUBLISH channel message` from a client outside MULTI and subscribed to nothing: its message
 * may wait with the ones before it (the hub's batch; a subscribed RESP3 client must see its own
 * messages before each reply, so it is left out).
 */
export function isPlainPublish(argv: readonly Buffer[], client: ClientState): boolean {
  if (argv.length !== 3 || client.pubsub !== null || client.multi !== null) return false;
  const name = argv[0];
  if (name.length !== 7) return false;
  for (let i = 0; i < 7; i++) if ((name[i] | 0x20) !== PUBLISH[i]) return false;
  return true;
}

const PUBLISH = Buffer.from('publish');
