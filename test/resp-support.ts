/** Raw TCP clients for the RESP black-box tests: exact bytes in, exact bytes out. */

import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';

/** A RESP multibulk frame. */
export function frame(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
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
   * What the server answers to `input`: everything until it closes, or until it has been quiet
   * for `quietMs` (then the connection is left open, `closed` false).
   */
  async exchange(input: string | Buffer, quietMs = 250): Promise<{ reply: string; closed: boolean }> {
    this.send(input);
    let last = -1;
    while (!this.closed && last !== this.size) {
      last = this.size;
      await new Promise((r) => setTimeout(r, quietMs));
    }
    return { reply: this.text(), closed: this.closed };
  }

  text(): string {
    return this.received.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
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
