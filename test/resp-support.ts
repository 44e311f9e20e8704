/** Raw TCP clients for the RESP black-box tests: exact bytes in, exact bytes out. */

import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { replyEnd } from './differential/resp-client.js';

/** A RESP multibulk frame. */
export function frame(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** How an exchange ends: the server closes the connection, or it has sent this many replies. */
export type Ending = 'close' | number;

/** How many complete RESP2/RESP3 replies `buf` starts with. */
export function replyCount(buf: Buffer): number {
  let n = 0;
  for (let at = 0; ; n++) {
    const end = replyEnd(buf, at);
    if (end < 0) return n;
    at = end;
  }
}

export class RawClient {
  private chunks: Buffer[] = [];
  private size = 0;
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Bytes received so far. */
  get received(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get receivedBytes(): number {
    return this.size;
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Wait until `done()` holds (checked on every event) or fail after `timeoutMs`. */
  async until(done: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.text().slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Wait for at least `n` bytes. */
  async read(n: number, timeoutMs?: number): Promise<Buffer> {
    await this.until(() => this.size >= n, timeoutMs, `${n} bytes`);
    return this.received;
  }

  /** Wait until the received text contains `s`. */
  async readUntil(s: string, timeoutMs?: number): Promise<string> {
    await this.until(() => this.text().includes(s), timeoutMs, JSON.stringify(s));
    return this.text();
  }

  /** Wait for the server to close the connection. */
  async waitClosed(timeoutMs?: number): Promise<string> {
    await this.until(() => this.closed, timeoutMs, 'the server to close');
    return this.text();
  }

  /**
   * Send `input` (a string, bytes, or 'FIN' to end our side) and wait for the ending the caller
   * expects: the server closes the connection, or it has sent `ending` complete replies since
   * (a close ends the wait too). Waits on the events themselves; fails only when the ending has
   * not come after `timeoutMs`. Returns everything received since the exchange began.
   */
  async exchange(
    input: string | Buffer | 'FIN',
    ending: Ending,
    timeoutMs = 15_000,
  ): Promise<{ reply: string; closed: boolean }> {
    const from = this.size;
    if (input === 'FIN') this.socket.end();
    else this.send(input);
    const since = () => this.received.subarray(from);
    await this.until(
      () => this.closed || (ending !== 'close' && replyCount(since()) >= ending),
      timeoutMs,
      ending === 'close' ? 'the server to close' : `${ending} replies`,
    );
    return { reply: since().toString('latin1'), closed: this.closed };
  }

  text(): string {
    return this.received.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * An input and how the server's answer to it ends (see RawClient.exchange). `setup` runs first
 * and its answer is left out. An input the server waits on (neither answering nor closing) comes
 * with the `rest` that ends the wait, sent apart; `ending` is then the one after the rest.
 */
export interface Probe {
  input: string | Buffer;
  ending: Ending;
  rest?: string | Buffer | 'FIN';
  setup?: { input: string | Buffer; ending: Ending };
}

/** Run `probe` on a fresh connection to each port at once; what each answered, once it ended. */
export async function sideBySide(
  ports: number[],
  probe: Probe,
): Promise<Array<{ reply: string; closed: boolean }>> {
  const clients = await Promise.all(ports.map((port) => RawClient.connect(port)));
  const run = async (c: RawClient) => {
    if (probe.setup !== undefined) await c.exchange(probe.setup.input, probe.setup.ending);
    if (probe.rest === undefined) return c.exchange(probe.input, probe.ending);
    const from = c.receivedBytes;
    c.send(probe.input);
    // Not a wait for an event: the rest goes apart so that the server meets the input alone.
    // Whatever the server says to the input, early or late, is in the transcript returned.
    await new Promise((done) => setTimeout(done, 100));
    const first = c.received.subarray(from).toString('latin1');
    const after = await c.exchange(probe.rest, probe.ending);
    return { reply: first + after.reply, closed: after.closed };
  };
  try {
    return await Promise.all(clients.map(run));
  } finally {
    for (const c of clients) c.close();
  }
}

/** Resident memory of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Poll `check` until it returns true (or fail after `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
