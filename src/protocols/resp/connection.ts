/**
 * One RESP client connection: socket bytes in, parsed commands through the dispatcher, rendered
 * replies out. The commands of a turn of the event loop run together with those of every other
 * readable socket, then all their replies leave, one socket write per connection (turn.ts). A
 * command whose reply is a promise holds the commands behind it until it settles, so replies
 * keep their order. Closing follows Redis: a protocol error or QUIT sends the
 * replies rendered so far and then closes; a client past its output buffer limit or idle past
 * `timeout` is dropped at once.
 */
import type { Socket } from 'node:net';
import type { ClientState, CommandContext } from '../../commands/context.js';
import { PushBatch } from '../../commands/pubsub/batch.js';
import { PushReply, type Reply } from '../../commands/reply.js';
import type { DoorHost } from '../door.js';
import { BufferFigures, type BufferStats } from './buffer-figures.js';
import { OutputBuffer } from './encoder.js';
import type { DoorLimits, OutputLimits } from './limits.js';
import { OutputGuard, outputLimitsFor } from './output-guard.js';
import { type ProtocolError, RespParser } from './parser.js';
import { isPlainPublish, mayExceed, schedulePushFlush } from './push-flush.js';
import { writePush } from './push-wire.js';
import { answerProtocolError, INTERNAL_ERROR, renderReply } from './render.js';
import type { TurnBatch, TurnMember } from './turn.js';

/** Render this much output before handing it to the socket mid-chunk. */
const FLUSH_BYTES = 64 * 1024;
/**
 * Input buffered past this runs at once instead of waiting for the turn: a full socket read
 * (Node reads 64 kB at a time) is a bulk load, and this bounds what a connection holds until
 * the turn to about what it held when commands ran on arrival.
 */
const RUN_NOW_BYTES = 64 * 1024;
/** Stop running commands while this much output waits in the socket (or the hard limit, if higher). */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** Output buffer capacity kept between bursts; a larger one is dropped once flushed. */
const KEEP_OUTPUT_BYTES = 256 * 1024;

/** What a connection needs from a socket (net.Socket, or a fake in unit tests). */
export type RespSocket = Pick<
  Socket,
  | 'remoteAddress'
  | 'remotePort'
  | 'localAddress'
  | 'localPort'
  | 'writableLength'
  | 'destroyed'
  | 'write'
  | 'end'
  | 'destroy'
  | 'pause'
  | 'resume'
  | 'on'
  | 'once'
>;

export class RespConnection implements TurnMember {
  readonly parser: RespParser;
  readonly out = new OutputBuffer();
  private readonly figures: BufferFigures;
  readonly ctx: CommandContext;
  private readonly abort = new AbortController();
  /** A command's promise is pending: later commands wait. */
  private waiting = false;
  /** Inside run(): close requests and settles defer to its end. */
  private running = false;
  /** Queued in the door's turn to run its input. */
  private queued = false;
  /** Send what is rendered, then close (QUIT, CLIENT KILL, protocol error). */
  private closing = false;
  /** The door is shutting down: run nothing new, finish in-flight work, close. */
  private draining = false;
  /** Backpressure: output waits in the socket; reading and running are paused until 'drain'. */
  private paused = false;
  private ending = false;
  private closed = false;
  private readonly guard = new OutputGuard();
  /** socket.writableLength after our last write: a bound of it until the next (push-flush.ts). */
  private queuedAtFlush = 0;
  /** destroy() was called: pushes are dropped (the socket's 'close' follows). */
  private dropped = false;
  /** The client has left the server's registry (last reply written, or socket closed). */
  private unregistered = false;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly host: DoorHost,
    private readonly socket: RespSocket,
    readonly client: ClientState,
    private readonly limits: DoorLimits,
    private readonly onClosed: (c: RespConnection) => void,
    private readonly turn: TurnBatch,
  ) {
    this.parser = new RespParser(limits.parser);
    this.figures = new BufferFigures(host.server.clock.now(), host.server.replyBuffer);
    this.ctx = host.context(client, this.abort.signal);
    client.rawBulks = true;
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** Resolves once the socket is closed and the client unregistered. */
  get done(): Promise<void> {
    return this.closedPromise;
  }

  bufferStats(): BufferStats {
    const obl = this.out.pending;
    const qbuf = this.running ? this.parser.commandQbuf : this.parser.buffered;
    const now = this.host.server.clock.now();
    return this.figures.stats(now, this.client.lastInteraction, qbuf, obl, obl + this.socket.writableLength);
  }

  /**
   * Write an out-of-band reply (pub/sub message, invalidation, MONITOR line) after whatever is
   * rendered so far. Inside run() it leaves with that batch; otherwise at the end of this turn of
   * the event loop, with every other push of the turn (push-flush.ts).
   */
  push(reply: Reply): boolean {
    // Anything but held messages follows them (batch.ts); messages skip the socket getters.
    if (!(reply instanceof PushBatch)) this.host.server.pubsub.flushPublishes();
    const shared = reply instanceof PushReply || reply instanceof PushBatch;
    if (this.closed || this.ending || (shared ? this.dropped : this.socket.destroyed)) return false;
    const out = this.out;
    const mark = out.len;
    try {
      writePush(out, reply, this.client.resp);
    } catch (err) {
      out.truncate(mark);
      this.host.logger.error({ err, client: this.client.id }, 'could not render a push');
      return false;
    }
    if (mayExceed(this.outputLimits(), out.pending + this.queuedAtFlush)) this.checkOutputLimits();
    else this.guard.clear();
    // Pushes of one turn of the event loop (a pipeline of PUBLISH) leave in one write, as Redis
    // writes each client's output once per event-loop iteration.
    if (!this.running && !this.flushQueued) {
      this.flushQueued = true;
      schedulePushFlush(this.flushPushes);
    }
    return true;
  }

  private flushQueued = false;

  private readonly flushPushes = (): void => {
    this.flushQueued = false;
    if (this.running || this.closed) return;
    try {
      this.flush();
    } catch (err) {
      this.failed(err);
    }
  };

  /** Close after the replies rendered so far are written (client.close(): QUIT, CLIENT KILL). */
  requestClose(): void {
    this.closing = true;
    if (!this.running && !this.waiting) this.finish();
  }

  /** Door shutdown: take no new commands, let an in-flight one finish, then close. */
  drain(): Promise<void> {
    this.draining = true;
    if (!this.closed) this.socket.pause();
    if (!this.running && !this.waiting) this.finish();
    return this.closedPromise;
  }

  /** Drop the connection now (limits, forced shutdown). Pending output is discarded. */
  destroy(): void {
    this.dropped = true;
    if (!this.closed) this.socket.destroy();
  }

  /** Periodic checks (idle timeout, soft output limit); `now` in clock ms. */
  cron(now: number): void {
    if (this.closed) return;
    const idleMs = this.limits.idleMs;
    // Replicas are never closed for idling (Redis's clientsCronHandleTimeout skips them).
    if (idleMs > 0 && !this.waiting && !this.client.replica && now - this.client.lastInteraction > idleMs) {
      this.host.logger.debug({ client: this.client.id, addr: this.client.addr }, 'Closing idle client');
      this.destroy();
      return;
    }
    this.checkOutputLimits();
  }

  // ---- input --------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    this.host.server.stats.netInputBytes += chunk.length;
    if (this.closing || this.draining || this.closed) return;
    const now = this.host.server.clock.now();
    this.figures.read(now, this.client.lastInteraction, this.parser, chunk.length);
    this.client.lastInteraction = now;
    try {
      this.parser.feed(chunk);
      if (this.parser.buffered >= RUN_NOW_BYTES) this.run();
      else if (!this.queued) {
        this.queued = true;
        this.turn.add(this);
      }
    } catch (err) {
      this.failed(err);
    }
  };

  runTurn(): void {
    this.queued = false;
    try {
      this.run(false);
    } catch (err) {
      this.failed(err);
    }
  }

  flushTurn(): void {
    try {
      this.afterRun();
    } catch (err) {
      this.failed(err);
    }
  }

  /** Run every complete buffered command, then (`write`) write their replies in one go. */
  private run(write = true): void {
    if (this.running) return;
    this.running = true;
    const parser = this.parser;
    const client = this.client;
    try {
      while (!this.waiting && !this.closing && !this.paused && !this.draining) {
        parser.authRequired = !client.authenticated;
        const argv = parser.next();
        if (argv === null) {
          if (parser.error !== null) this.protocolError(parser.error);
          break;
        }
        this.execute(argv);
        if (this.out.pending >= FLUSH_BYTES) this.flush();
      }
    } finally {
      this.host.server.pubsub.batchPublishes(false);
      this.running = false;
    }
    if (write) this.afterRun();
  }

  private afterRun(): void {
    this.flush();
    if ((this.closing || this.draining) && !this.waiting) this.finish();
  }

  private execute(argv: Buffer[]): void {
    const wasSkip = this.client.replyMode === 'skip';
    let reply: Reply | Promise<Reply>;
    this.host.server.pubsub.batchPublishes(isPlainPublish(argv, this.client));
    try {
      reply = this.host.execute(this.ctx, argv);
    } catch (err) {
      this.internalError(err, argv);
      reply = INTERNAL_ERROR;
    }
    if (reply instanceof Promise) {
      this.waiting = true;
      reply.then(
        (r) => this.settle(r, wasSkip),
        (err) => {
          this.internalError(err, argv);
          this.settle(INTERNAL_ERROR, wasSkip);
        },
      );
      return;
    }
    this.render(reply, wasSkip);
    if (this.client.deferredPushes !== null) this.writeDeferred();
  }

  private settle(reply: Reply, wasSkip: boolean): void {
    this.waiting = false;
    if (this.closed) return;
    try {
      this.render(reply, wasSkip);
      if (this.client.deferredPushes !== null) this.writeDeferred();
      this.run();
    } catch (err) {
      this.failed(err);
    }
  }

  // ---- output -------------------------------------------------------------------------------

  private render(reply: Reply, wasSkip: boolean): void {
    if (!renderReply(this.out, reply, this.client, wasSkip, this.host.logger)) return;
    const lim = this.outputLimits();
    if (lim.hardBytes > 0 || lim.softBytes > 0) this.checkOutputLimits();
  }

  /**
   * What the command caused for this client itself (its own tracking invalidations, its own
   * MONITOR line) follows the command's reply, whatever the reply mode (see observers.ts).
   */
  private writeDeferred(): void {
    const pushes = this.client.deferredPushes!;
    this.client.deferredPushes = null;
    // After QUIT (or CLIENT KILL of itself) nothing follows the last reply, as in Redis.
    if (this.closing) return;
    for (const r of pushes) this.push(r);
  }

  /** Hand rendered output to the socket; pause on backpressure. */
  private flush(): void {
    const out = this.out;
    const socket = this.socket;
    if (out.pending === 0 || this.closed || socket.destroyed) return;
    this.figures.wrote(this.client.lastInteraction, out.pending);
    const chunk = out.take();
    this.host.server.stats.netOutputBytes += chunk.length;
    socket.write(chunk);
    const queued = socket.writableLength;
    this.queuedAtFlush = queued;
    // Everything went to the kernel at once: the buffer is free to reuse from the start.
    if (queued === 0) out.reset(KEEP_OUTPUT_BYTES);
    // With a hard limit above the mark, a client that does not read reaches the limit and is
    // dropped, as in Redis; without one, it is held back here instead.
    else if (
      queued > Math.max(HIGH_WATER_BYTES, this.outputLimits().hardBytes) &&
      !this.paused &&
      !this.ending
    ) {
      this.pause();
    }
  }

  private pause(): void {
    this.paused = true;
    this.socket.pause();
    this.socket.once('drain', this.onDrain);
  }

  private readonly onDrain = (): void => {
    this.paused = false;
    this.queuedAtFlush = this.socket.writableLength;
    if (this.closed) return;
    if (this.out.pending === 0) this.out.reset(KEEP_OUTPUT_BYTES);
    this.client.lastInteraction = this.host.server.clock.now();
    if (!this.draining) this.socket.resume();
    try {
      this.run();
    } catch (err) {
      this.failed(err);
    }
  };

  private outputLimits(): OutputLimits {
    return outputLimitsFor(this.limits, this.client);
  }

  /** Close a client past its output buffer limits (output-guard.ts). */
  private checkOutputLimits(): void {
    const used = this.out.pending + this.socket.writableLength;
    const reason = this.guard.check(this.outputLimits(), used, this.host.server.clock);
    if (reason === '') return;
    this.host.logger.warn(
      { client: this.client.id, addr: this.client.addr, omem: used, limit: reason },
      'Client closed for overcoming of output buffer limits',
    );
    this.closing = true;
    this.destroy();
  }

  // ---- errors and closing -------------------------------------------------------------------

  private protocolError(e: ProtocolError): void {
    answerProtocolError(this.out, e, this.client, this.parser.buffered, this.host.logger);
    this.closing = true;
  }

  /** A bug reached the connection loop: drop this client, keep serving the others. */
  private failed(err: unknown): void {
    this.host.logger.error({ err, client: this.client.id }, 'RESP connection failed');
    this.destroy();
  }

  private internalError(err: unknown, argv: Buffer[]): void {
    const name = argv.length > 0 ? argv[0].toString('latin1', 0, 64) : '';
    this.host.logger.error(
      { err, client: this.client.id, command: name },
      'command failed with an exception',
    );
  }

  /** Write what is pending and close. */
  private finish(): void {
    if (this.ending || this.closed || this.socket.destroyed) return;
    this.ending = true;
    // A client held back because it does not read would never take the rest: drop it now.
    if (this.paused) {
      this.socket.destroy();
      return;
    }
    this.flush();
    this.socket.end(() => this.socket.destroy());
    // Gone for everyone else now, as Redis frees a client once its last reply is written: a
    // tracking redirect to it is broken, CLIENT LIST no longer shows it (its socket may close
    // a turn or two later).
    this.unregister();
  }

  private unregister(): void {
    if (this.unregistered) return;
    this.unregistered = true;
    this.abort.abort();
    this.host.closeClient(this.client);
  }

  private readonly onError = (err: Error): void => {
    this.host.logger.debug({ err, client: this.client.id }, 'RESP socket error');
  };

  private readonly onClose = (): void => {
    if (this.closed) return;
    // Commands that arrived before the close run now, while the client is still registered, as
    // they did when commands ran on arrival (a client may send and hang up at once). Their
    // replies have nowhere to go.
    if (this.queued) this.runTurn();
    this.closed = true;
    try {
      this.unregister();
    } finally {
      this.onClosed(this);
      this.resolveClosed();
    }
  };
}
