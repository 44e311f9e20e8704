/**
 * A raw RESP client for pub/sub: unlike RawRespClient it does not pair replies with requests.
 * Every top-level reply the server writes (replies, pushes, RESP2 message arrays) is queued as
 * its exact bytes, and the test takes them in order, waiting for as many as it expects. Replies
 * that arrive before they are asked for are kept, never dropped, so a message delivered while
 * the test awaits another client's reply is still there.
 */
import { connect, type Socket } from 'node:net';
import { encodeCommand, replyEnd } from './resp-client.js';

export class PushClient {
  private pending: Buffer = Buffer.alloc(0);
  private readonly queue: Buffer[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      for (;;) {
        const end = replyEnd(this.pending, 0);
        if (end < 0) break;
        this.queue.push(Buffer.from(this.pending.subarray(0, end)));
        this.pending = this.pending.subarray(end);
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<PushClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new PushClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Send commands (argv arrays) in one write. */
  send(commands: ReadonlyArray<ReadonlyArray<string | Buffer>>): void {
    this.sendRaw(
      Buffer.concat(
        commands.map((c) => encodeCommand(c.map((a) => (typeof a === 'string' ? Buffer.from(a) : a)))),
      ),
    );
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next `n` replies, waiting up to `timeoutMs` for them; throws naming what did arrive. */
  async take(n: number, timeoutMs = 5000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length < n) {
      if (this.closed) throw new Error(`connection closed after ${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${n} replies, got ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.queue.splice(0, n);
  }

  private describe(): string {
    return `${this.queue.length}: ${JSON.stringify(this.queue.map((b) => b.toString('latin1')))}`;
  }

  /** Replies received and not taken yet. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves when the server closes the connection. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  close(): void {
    this.socket.destroy();
  }
}
