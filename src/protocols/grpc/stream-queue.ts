/**
 * The outgoing queue of an endless server stream (Watch, Subscribe). Producers push on the
 * writer's path (a change listener, a publish) and never wait. Watch's messages are written on
 * a later turn of the event loop (its listener must stay cheap); Subscribe's go to the stream at
 * once while it takes them, as RESP writes a message to a subscriber's socket, so that only what
 * a client does not read is held here. When `write()` says stop, the queue waits for `drain`
 * (HTTP/2 flow control). The queue is bounded by a number of messages and,
 * for Subscribe, by the bytes it holds (Redis's hard / soft output limits, ../subscriptions.ts);
 * `push` reports which bound a message would break, and the stream is then to be ended.
 */
import type { OutputGuard } from '../subscriptions.js';

/** Compact the queue array once this many sent slots sit at its front. */
const QUEUE_COMPACT_SLOTS = 1024;

export type Overflow = 'count' | 'hard' | 'soft';

/** What the queue needs of a grpc-js server stream. */
export interface MessageSink<T> {
  write(msg: T): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export class StreamQueue<T> {
  private queue: Array<T | undefined> = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  private scheduled = false;
  private waitingDrain = false;
  private closed = false;

  constructor(
    private readonly call: MessageSink<T>,
    /** Messages that may wait, read at each push (the option may change). */
    private readonly maxCount: () => number,
    /** The byte bound, or null for none. */
    private readonly guard: OutputGuard | null = null,
    /** Write at once when nothing waits (else on the next turn of the event loop). */
    private readonly immediate = false,
  ) {}

  /** Messages waiting to be written. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Queue `msg` (`size` bytes); the bound it would break instead, or null when queued. */
  push(msg: T, size = 0): Overflow | null {
    if (this.closed) return null;
    if (this.length >= this.maxCount()) return 'count';
    if (this.guard !== null) {
      const over = this.guard.check(this.bytes + size);
      if (over !== null) return over;
    }
    if (this.immediate && !this.waitingDrain && !this.scheduled && this.length === 0) {
      if (!this.call.write(msg)) this.waitDrain();
      return null;
    }
    this.queue.push(msg);
    this.sizes.push(size);
    this.bytes += size;
    if (!this.scheduled && !this.waitingDrain) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return null;
  }

  /** Drop what waits; nothing more is written. */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.closed) return;
    const q = this.queue;
    while (this.head < q.length) {
      const msg = q[this.head]!;
      q[this.head] = undefined;
      this.bytes -= this.sizes[this.head];
      this.head++;
      if (!this.call.write(msg)) {
        this.waitDrain();
        break;
      }
    }
    if (this.head === q.length) {
      q.length = 0;
      this.sizes.length = 0;
      this.head = 0;
    } else if (this.head >= QUEUE_COMPACT_SLOTS) {
      this.queue = q.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  };

  private waitDrain(): void {
    this.waitingDrain = true;
    this.call.once('drain', this.onDrain);
  }

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.flush();
  };
}
