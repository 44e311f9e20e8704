/**
 * Watch: keyspace changes under a prefix, streamed to a client from the moment its headers
 * arrive. The change listener runs on the writer's path, so it only filters (db, prefix) and
 * pushes a small record onto this stream's queue; writing happens on a later turn of the
 * event loop. While the client reads slowly the stream's `write()` says stop and the queue
 * grows; once `grpc-watch-buffer` events are waiting, the stream is ended with
 * RESOURCE_EXHAUSTED and its queue dropped. Writers never wait for a watcher.
 */
import { Metadata, type ServerWritableStream, type StatusObject } from '@grpc/grpc-js';
import type { ClientState } from '../../commands/context.js';
import type { ChangeKind } from '../../engine/types.js';
import { ErrorReply, Errors } from '../../errors.js';
import { EventKind, ValueType, type WatchRequest, type WatchResponse } from '../../gen/cairn/v1/cairn_pb.js';
import type { DoorHost } from '../door.js';
import type { CallGate } from './calls.js';
import { VALUE_TYPE } from './get.js';
import { internalStatus, toStatus } from './status.js';

type Stream = ServerWritableStream<WatchRequest, WatchResponse>;

const EVENT_KIND: Record<ChangeKind, EventKind> = {
  set: EventKind.SET,
  del: EventKind.DELETE,
  expire: EventKind.EXPIRE,
  evict: EventKind.EVICT,
  flush: EventKind.FLUSH,
};
const EMPTY = Buffer.alloc(0);
/** Compact the queue array once this many sent slots sit at its front. */
const QUEUE_COMPACT_SLOTS = 1024;

export const watchOverflow = (bound: number) =>
  new ErrorReply('TOO_LARGE', `ERR watch fell more than ${bound} events behind (grpc-watch-buffer)`);

class WatchStream {
  private queue: Array<WatchResponse | undefined> = [];
  private head = 0;
  private scheduled = false;
  private waitingDrain = false;
  private ended = false;
  private unsubscribe: () => void = () => {};
  client: ClientState | null = null;

  constructor(
    private readonly call: Stream,
    private readonly host: DoorHost,
    private readonly registry: Set<WatchStream>,
    private readonly db: number,
    private readonly prefix: Buffer,
    private readonly bound: number,
  ) {}

  start(client: ClientState): void {
    this.client = client;
    this.registry.add(this);
    this.unsubscribe = this.host.server.events.subscribe(this.onChange);
    this.call.once('cancelled', () => this.cleanup());
    // Headers tell the client the watch is active: changes from now on are delivered.
    this.call.sendMetadata(new Metadata());
  }

  /** The change listener: filter and push only (runs synchronously on the writer's path). */
  private readonly onChange = (db: number, key: Buffer | null, kind: ChangeKind): void => {
    if (db !== this.db || this.ended) return;
    const prefix = this.prefix;
    const plen = prefix.length;
    if (key !== null && plen > 0 && (key.length < plen || key.compare(prefix, 0, plen, 0, plen) !== 0))
      return;
    if (this.queue.length - this.head >= this.bound) {
      this.finish(toStatus(watchOverflow(this.bound)));
      return;
    }
    // Copied: the key may be a view into a parser's buffer that is reused after the command.
    this.queue.push({
      $typeName: 'cairn.v1.WatchResponse',
      kind: EVENT_KIND[kind],
      key: key === null ? EMPTY : Buffer.from(key),
      db,
      type: kind === 'set' && key !== null ? this.typeOf(db, key) : ValueType.UNSPECIFIED,
    });
    if (!this.scheduled && !this.waitingDrain) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  /**
   * The type the key holds now. A peek: no lazy expiry, no access-time update, nothing the
   * change listener may not do. A write that emptied a collection has removed the key already.
   */
  private typeOf(db: number, key: Buffer): ValueType {
    const e = this.host.server.keyspace.peekEntry(db, key);
    if (e === null) return ValueType.UNSPECIFIED;
    return Buffer.isBuffer(e.value) ? ValueType.STRING : VALUE_TYPE[e.value.type];
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.ended) return;
    const q = this.queue;
    while (this.head < q.length) {
      const msg = q[this.head]!;
      q[this.head++] = undefined;
      if (!this.call.write(msg)) {
        this.waitingDrain = true;
        this.call.once('drain', this.onDrain);
        break;
      }
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head >= QUEUE_COMPACT_SLOTS) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  };

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.flush();
  };

  /** End the stream with a status (OK ends it cleanly). */
  finish(status: Partial<StatusObject> | null): void {
    if (this.ended) return;
    this.cleanup();
    if (status === null) this.call.end();
    else this.call.emit('error', status);
  }

  private cleanup(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    this.queue = [];
    this.head = 0;
    this.registry.delete(this);
    if (this.client !== null) this.host.closeClient(this.client);
  }
}

export class WatchHub {
  private readonly active = new Set<WatchStream>();

  constructor(
    private readonly host: DoorHost,
    private readonly gate: CallGate,
  ) {}

  get size(): number {
    return this.active.size;
  }

  readonly handler = (call: Stream): void => {
    try {
      const req = call.request;
      const bound = this.host.server.config.int('grpc-watch-buffer');
      const w = new WatchStream(call, this.host, this.active, req.db, Buffer.from(req.prefix), bound);
      // Listed like a connection: CLIENT LIST shows it, CLIENT KILL ends it, maxclients bounds it.
      const ctx = this.gate.open(call, req.db, true, () => w.finish(null));
      if (ctx instanceof ErrorReply) {
        call.emit('error', toStatus(ctx));
        return;
      }
      w.start(ctx.client);
    } catch (e) {
      call.emit('error', internalStatus(e));
    }
  };

  /** End every watch (shutdown): clients see UNAVAILABLE and may reconnect elsewhere. */
  endAll(): void {
    for (const w of [...this.active]) w.finish(toStatus(Errors.shuttingDown));
  }
}
