/**
 * A deliberately tiny RESP client for the differential test: it sends argv arrays over a raw
 * TCP socket and hands back each reply as the exact bytes the server wrote, so two servers can
 * be compared byte for byte. `parseReply` turns those bytes into a tree only for the few
 * replies that must be normalised (key sets, cursors, TTLs).
 */
import { connect, type Socket } from 'node:net';

const CRLF = Buffer.from('\r\n');

/** Offset just past the reply starting at `at`, or -1 when `buf` does not hold all of it yet. */
export function replyEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const eol = buf.indexOf(CRLF, at);
  if (eol < 0) return -1;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('latin1', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return next;
    case '$':
    case '!':
    case '=': {
      const n = Number(line);
      if (n < 0) return next;
      return buf.length >= next + n + 2 ? next + n + 2 : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(line);
      if (n < 0) return next;
      if (type === '%' || type === '|') n *= 2;
      let p = next;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p);
        if (p < 0) return -1;
      }
      // An attribute (`|`) annotates the reply that follows it.
      return type === '|' ? replyEnd(buf, p) : p;
    }
    default:
      throw new Error(
        `bad RESP type byte 0x${buf[at].toString(16)} in ${JSON.stringify(buf.toString('latin1', at, at + 40))}`,
      );
  }
}

export type Node =
  | { t: 'simple' | 'error' | 'double' | 'bignum'; s: string }
  | { t: 'int'; v: bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'bulk' | 'verbatim'; b: Buffer }
  | { t: 'null' }
  | { t: 'array' | 'set' | 'push' | 'map'; items: Node[] };

/** Parse one complete reply (as returned by `RawRespClient.call`) into a tree. */
export function parseReply(buf: Buffer): Node {
  return parseAt(buf, 0)[0];
}

function parseAt(buf: Buffer, at: number): [Node, number] {
  const eol = buf.indexOf(CRLF, at);
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('latin1', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return [{ t: 'simple', s: line }, next];
    case '-':
      return [{ t: 'error', s: line }, next];
    case ':':
      return [{ t: 'int', v: BigInt(line) }, next];
    case '_':
      return [{ t: 'null' }, next];
    case ',':
      return [{ t: 'double', s: line }, next];
    case '(':
      return [{ t: 'bignum', s: line }, next];
    case '#':
      return [{ t: 'bool', v: line === 't' }, next];
    case '$':
    case '!':
    case '=': {
      const n = Number(line);
      if (n < 0) return [{ t: 'null' }, next];
      const b = buf.subarray(next, next + n);
      if (type === '!') return [{ t: 'error', s: b.toString('latin1') }, next + n + 2];
      return [{ t: type === '$' ? 'bulk' : 'verbatim', b }, next + n + 2];
    }
    default: {
      let n = Number(line);
      if (n < 0) return [{ t: 'null' }, next];
      if (type === '%') n *= 2;
      const items: Node[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const [node, q] = parseAt(buf, p);
        items.push(node);
        p = q;
      }
      const t = type === '%' ? 'map' : type === '~' ? 'set' : type === '>' ? 'push' : 'array';
      return [{ t, items }, p];
    }
  }
}

export function encodeCommand(argv: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) parts.push(Buffer.from(`$${a.length}\r\n`), a, CRLF);
  return Buffer.concat(parts);
}

export class RawRespClient {
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  private closedError: Error | null = null;
  /** A reply nobody asked for (a server answering twice): reported to the next call. */
  private unexpected: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error) => {
      this.closedError = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawRespClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host);
      s.once('connect', () => resolve(new RawRespClient(s)));
      s.once('error', reject);
    });
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = replyEnd(this.pending, 0);
      if (end < 0) return;
      const reply = Buffer.from(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(end);
      const w = this.waiting.shift();
      if (w === undefined) {
        this.unexpected ??= new Error(`unexpected reply ${JSON.stringify(reply.toString('latin1'))}`);
        continue;
      }
      w.resolve(reply);
    }
  }

  /** Send one command; resolves with its reply's raw bytes. Calls may be pipelined. */
  call(argv: ReadonlyArray<Buffer | string>): Promise<Buffer> {
    return this.callMany([argv]).then((r) => r[0]);
  }

  /** Send several commands in one socket write; resolves with each reply's raw bytes. */
  callMany(commands: ReadonlyArray<ReadonlyArray<Buffer | string>>): Promise<Buffer[]> {
    const bufs = commands.map((argv) =>
      encodeCommand(argv.map((a) => (typeof a === 'string' ? Buffer.from(a) : a))),
    );
    return this.sendRaw(Buffer.concat(bufs), commands.length);
  }

  /** Write raw bytes (inline commands, several commands) and collect `replies` replies. */
  sendRaw(bytes: Buffer, replies: number): Promise<Buffer[]> {
    const failed = this.closedError ?? this.unexpected;
    if (failed !== null) return Promise.reject(failed);
    const out = Array.from(
      { length: replies },
      () =>
        new Promise<Buffer>((resolve, reject) => {
          this.waiting.push({ resolve, reject });
        }),
    );
    this.socket.write(bytes);
    return Promise.all(out);
  }

  /** Resolves when the server closes the connection (after QUIT). */
  closed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}
