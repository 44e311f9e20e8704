/**
 * Pub/sub over gRPC: the server-streaming `Subscribe` and the unary `Publish`.
 *
 * Subscribe opens a listed client (CLIENT LIST shows it with `sub=` / `psub=` and flag `P`,
 * CLIENT KILL ends it, maxclients counts it, as a Watch), runs SUBSCRIBE / PSUBSCRIBE /
 * SSUBSCRIBE for it through the dispatcher (../subscriptions.ts: the same authentication and
 * ACL channel rules as RESP, PERMISSION_DENIED before anything is subscribed), then sends the
 * response headers: from there on every message published on any door is delivered. A publish
 * writes the message to the stream, or queues it while the client does not read
 * (stream-queue.ts); a subscriber that falls behind by
 * `grpc-watch-buffer` messages or past the `pubsub` class of `client-output-buffer-limit` is
 * ended with RESOURCE_EXHAUSTED, counted (INFO `grpc_subscribe_slow_disconnects`) and logged.
 * The stream ends when the client cancels it, its deadline passes (DEADLINE_EXCEEDED, by
 * grpc-js), ACL SETUSER takes a channel away, or the server shuts down (UNAVAILABLE).
 */
import { type handleUnaryCall, Metadata, type ServerWritableStream, type StatusObject } from '@grpc/grpc-js';
import type { ClientState, PubSubMessage } from '../../commands/context.js';
import { ErrorReply, Errors } from '../../errors.js';
import {
  MessageKind,
  type PublishRequest,
  type PublishResponse,
  type SubscribeRequest,
  type SubscribeResponse,
} from '../../gen/cairn/v1/cairn_pb.js';
import type { DoorHost } from '../door.js';
import {
  nothingToSubscribe,
  OutputGuard,
  PubSubOutputLimit,
  slowReader,
  subscribeAll,
  subscriptionCommands,
} from '../subscriptions.js';
import type { CallGate } from './calls.js';
import { internalStatus, toStatus } from './status.js';
import { type Overflow, StreamQueue } from './stream-queue.js';
import { asInt64, buf, type UnaryDeps } from './unary.js';

type Stream = ServerWritableStream<SubscribeRequest, SubscribeResponse>;

const KIND: Record<PubSubMessage['kind'], MessageKind> = {
  message: MessageKind.MESSAGE,
  pmessage: MessageKind.PMESSAGE,
  smessage: MessageKind.SMESSAGE,
};
const EMPTY = Buffer.alloc(0);
/** What a queued message costs beyond its bytes (the record and its framing), for the bound. */
const MESSAGE_OVERHEAD_BYTES = 64;

class SubscribeStream {
  private readonly queue: StreamQueue<SubscribeResponse>;
  private ended = false;
  client: ClientState | null = null;

  constructor(
    private readonly call: Stream,
    private readonly hub: SubscribeHub,
    guard: OutputGuard,
    private readonly bound: number,
  ) {
    this.queue = new StreamQueue<SubscribeResponse>(call, () => bound, guard, true);
  }

  /** The hub's delivery: queue only (runs synchronously on the publisher's path). */
  readonly deliver = (msg: PubSubMessage): void => {
    if (this.ended) return;
    // The message's buffers are its own copies: safe to keep until written.
    const res: SubscribeResponse = {
      $typeName: 'cairn.v1.SubscribeResponse',
      kind: KIND[msg.kind],
      channel: msg.channel,
      message: msg.message,
      pattern: msg.pattern ?? EMPTY,
    };
    const size =
      msg.channel.length + msg.message.length + (msg.pattern?.length ?? 0) + MESSAGE_OVERHEAD_BYTES;
    const over = this.queue.push(res, size);
    if (over !== null) this.hub.dropSlow(this, over, this.bound);
  };

  start(client: ClientState): void {
    this.client = client;
    this.hub.active.add(this);
    this.call.once('cancelled', () => this.cleanup());
    // Headers tell the client every subscription is active.
    this.call.sendMetadata(new Metadata());
  }

  /** End the stream with a status (null: cleanly). */
  finish(status: Partial<StatusObject> | null): void {
    if (this.ended) return;
    this.cleanup();
    if (status === null) this.call.end();
    else this.call.emit('error', status);
  }

  private cleanup(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.close();
    this.hub.active.delete(this);
    // closeClient drops every subscription too.
    if (this.client !== null) this.hub.host.closeClient(this.client);
  }
}

export class SubscribeHub {
  readonly active = new Set<SubscribeStream>();
  /** Streams ended for falling behind. */
  slowDisconnects = 0;
  private readonly limit: PubSubOutputLimit;

  constructor(
    readonly host: DoorHost,
    private readonly gate: CallGate,
  ) {
    this.limit = new PubSubOutputLimit(host.server.config);
  }

  get size(): number {
    return this.active.size;
  }

  readonly handler = (call: Stream): void => {
    try {
      const req = call.request;
      const cmds = subscriptionCommands({
        channels: req.channels.map(buf),
        patterns: req.patterns.map(buf),
        shards: req.shardChannels.map(buf),
        keyspace: req.keyspace.map(buf),
        keyevent: req.keyevent.map(buf),
        db: req.db,
      });
      if (cmds.length === 0) {
        call.emit(
          'error',
          toStatus(nothingToSubscribe('of channels, patterns, shard_channels, keyspace, keyevent')),
        );
        return;
      }
      const server = this.host.server;
      const bound = server.config.int('grpc-watch-buffer');
      const s = new SubscribeStream(call, this, new OutputGuard(this.limit, server.clock), bound);
      const ctx = this.gate.open(call, req.db, true, () => s.finish(null), s.deliver);
      if (ctx instanceof ErrorReply) {
        call.emit('error', toStatus(ctx));
        return;
      }
      const confirmed = subscribeAll(this.host, ctx, cmds);
      if (confirmed instanceof ErrorReply) {
        this.host.closeClient(ctx.client);
        call.emit('error', toStatus(confirmed));
        return;
      }
      s.start(ctx.client);
    } catch (e) {
      call.emit('error', internalStatus(e));
    }
  };

  dropSlow(s: SubscribeStream, over: Overflow, bound: number): void {
    this.slowDisconnects++;
    const what = over === 'count' ? `grpc-watch-buffer ${bound}` : 'client-output-buffer-limit pubsub';
    this.host.logger.warn(
      { client: s.client?.id, limit: over, door: 'grpc' },
      'Client closed for overcoming of output buffer limits',
    );
    s.finish(toStatus(slowReader(over, what)));
  }

  /** End every stream (shutdown): clients see UNAVAILABLE and may reconnect elsewhere. */
  endAll(): void {
    for (const s of [...this.active]) s.finish(toStatus(Errors.shuttingDown));
  }

  close(): void {
    this.endAll();
    this.limit.close();
  }
}

const PUBLISH = Buffer.from('PUBLISH');
const SPUBLISH = Buffer.from('SPUBLISH');

/** Publish: PUBLISH (or SPUBLISH) through the dispatcher, as Execute would run it. */
export function publishHandler(deps: UnaryDeps): handleUnaryCall<PublishRequest, PublishResponse> {
  const { host, gate } = deps;
  return (call, callback) => {
    const req = call.request;
    const ctx = gate.open(call, 0);
    if (ctx instanceof ErrorReply) return callback(toStatus(ctx));
    let r: ReturnType<DoorHost['execute']>;
    try {
      r = host.execute(ctx, [req.shard ? SPUBLISH : PUBLISH, buf(req.channel), buf(req.message)]);
    } catch (e) {
      return callback(internalStatus(e));
    }
    if (r instanceof Promise) return callback(internalStatus(new Error('PUBLISH did not answer at once')));
    if (r instanceof ErrorReply) return callback(toStatus(r));
    const n = asInt64(r, 'PUBLISH');
    if (n instanceof ErrorReply) return callback(toStatus(n));
    callback(null, { $typeName: 'cairn.v1.PublishResponse', receivers: n });
  };
}
