/**
 * Watch: keyspace changes under a prefix, streamed to a client from the moment its headers
 * arrive. The change listener runs on the writer's path, so it only filters (db, prefix) and
 * pushes a small record onto this stream's queue (stream-queue.ts); writing happens on a later
 * turn of the event loop. While the client reads slowly the stream's `write()` says stop and
 * the queue grows; once `grpc-watch-buffer` events are waiting, the stream is ended with
 * RESOURCE_EXHAUSTED and its queue dropped. Writers never wait for a watcher.
 *
 * Event names: a command reports what it did to a key right after the change
 * (`ServerApi.onNotify`: `hset`, `lpop`, `rename_from`, ..., whatever notify-keyspace-events
 * publishes), so a change still waiting in the queue without a name takes the first name
 * reported for its key in the same turn of the event loop. Expiry and eviction are named from
 * the change itself (`expired`, `evicted`).
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
import { StreamQueue } from './stream-queue.js';

type Stream = ServerWritableStream<WatchRequest, WatchResponse>;

const EVENT_KIND: Record<ChangeKind, EventKind> = {
  set: EventKind.SET,
  del: EventKind.DELETE,
  expire: EventKind.EXPIRE,
  evict: EventKind.EVICT,
  flush: EventKind.FLUSH,
};
const EMPTY = Buffer.alloc(0);
/** Change kinds named by the change itself rather than by the command's notification. */
const OWN_NAME: Partial<Record<ChangeKind, string>> = { expire: 'expired', evict: 'evicted' };
/** Notifications that name no change of their own (`new` precedes the command's event). */
const NAMES_NOTHING = new Set(['new', 'keymiss']);

export const watchOverflow = (bound: number) =>
  new ErrorReply('TOO_LARGE', `ERR watch fell more than ${bound} events behind (grpc-watch-buffer)`);

class WatchStream {
  private readonly queue: StreamQueue<WatchResponse>;
  private ended = false;
  private unsubscribe: () => void = () => {};
  private unlisten: () => void = () => {};
  /** Changes of this turn still waiting for their command's event name, by key (latin1). */
  private unnamed = new Map<string, WatchResponse[]>();
  client: ClientState | null = null;

  constructor(
    private readonly call: Stream,
    private readonly host: DoorHost,
    private readonly registry: Set<WatchStream>,
    private readonly db: number,
    private readonly prefix: Buffer,
    private readonly bound: number,
  ) {
    this.queue = new StreamQueue<WatchResponse>(call, () => bound);
  }

  start(client: ClientState): void {
    this.client = client;
    this.registry.add(this);
    this.unsubscribe = this.host.server.events.subscribe(this.onChange);
    this.unlisten = this.host.server.onNotify(this.onNotify);
    this.call.once('cancelled', () => this.cleanup());
    // Headers tell the client the watch is active: changes from now on are delivered.
    this.call.sendMetadata(new Metadata());
  }

  /** The change listener: filter and push only (runs synchronously on the writer's path). */
  private readonly onChange = (db: number, key: Buffer | null, kind: ChangeKind): void => {
    if (db !== this.db || this.ended) return;
    if (key !== null && !this.underPrefix(key)) return;
    // Copied: the key may be a view into a parser's buffer that is reused after the command.
    const msg: WatchResponse = {
      $typeName: 'cairn.v1.WatchResponse',
      kind: EVENT_KIND[kind],
      key: key === null ? EMPTY : Buffer.from(key),
      db,
      type: kind === 'set' && key !== null ? this.typeOf(db, key) : ValueType.UNSPECIFIED,
      event: OWN_NAME[kind] ?? '',
    };
    if (this.queue.push(msg) !== null) {
      this.finish(toStatus(watchOverflow(this.bound)));
      return;
    }
    if (key !== null && msg.event === '' && kind !== 'flush') this.awaitName(key, msg);
  };

  private underPrefix(key: Buffer): boolean {
    const prefix = this.prefix;
    const plen = prefix.length;
    return plen === 0 || (key.length >= plen && key.compare(prefix, 0, plen, 0, plen) === 0);
  }

  private awaitName(key: Buffer, msg: WatchResponse): void {
    const k = key.toString('latin1');
    const waiting = this.unnamed.get(k);
    if (waiting !== undefined) {
      waiting.push(msg);
      return;
    }
    // Names come in the same turn as their change: forget what is left once it is over.
    if (this.unnamed.size === 0) queueMicrotask(this.forgetUnnamed);
    this.unnamed.set(k, [msg]);
  }

  private readonly forgetUnnamed = (): void => {
    if (this.unnamed.size > 0) this.unnamed = new Map();
  };

  /** A command's notification: names the changes it made to the key (see the file comment). */
  private readonly onNotify = (event: string, key: Buffer, db: number): void => {
    if (db !== this.db || this.ended || this.unnamed.size === 0 || NAMES_NOTHING.has(event)) return;
    const k = key.toString('latin1');
    const waiting = this.unnamed.get(k);
    if (waiting === undefined) return;
    this.unnamed.delete(k);
    for (const m of waiting) m.event = event;
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
    this.unlisten();
    this.queue.close();
    this.unnamed = new Map();
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
