/**
 * Incremental RESP request parser, following Redis 7.0's processMultibulkBuffer and
 * processInlineBuffer (networking.c): the same accepted inputs, the same protocol errors.
 *
 * Feed it socket chunks with `feed()`, then pull complete commands with `next()` until it returns
 * null. Arguments are views into the chunks where a value lies inside one chunk; Node
 * hands every read its own Buffer and the parser never writes into one, so views stay valid for
 * as long as the caller keeps them. Only the unparsed tail of a frame that spans chunks is copied,
 * into an accumulation buffer that grows by doubling and is never written over once handed out.
 * A large bulk value (>= BIG_ARG_BYTES) that spans chunks is assembled in its own buffer.
 */

import { countEnd, fastCount, findCR, hasNul, parseLL } from './bytes.js';
import { splitArgs } from './inline.js';

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;

/** Redis's PROTO_MBULK_BIG_ARG: bulks from this size on are assembled in their own buffer. */
export const BIG_ARG_BYTES = 32 * 1024;
/** Smallest accumulation buffer for a frame that spans chunks. */
const MIN_ACC_BYTES = 4 * 1024;
/** Redis refuses larger counts before AUTH (CVE-2021-32675). */
const UNAUTH_MAX_MULTIBULK = 10;
const UNAUTH_MAX_BULK_BYTES = 16 * 1024;
/** Memory a parsed argument costs beyond its bytes (the Buffer view object), for the qbuf limit. */
const ARG_OVERHEAD_BYTES = 64;
/** Most argument slots reserved up front for a command (Redis: 1024). */
const ARGV_PREALLOC = 1024;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** proto-max-multibulk-len */
  maxMultibulkLen: number;
  /**
   * proto-inline-max-size: longest inline line and longest count line (`*N`, `$N`). At least 16
   * (the config's minimum is 1024): the one-pass count reader takes lines of up to 16 bytes
   * without measuring them.
   */
  maxInlineSize: number;
  /** client-query-buffer-limit: unparsed bytes plus the parsed part of the current command. */
  maxQueryBuffer: number;
}

export const DEFAULT_LIMITS: ParserLimits = {
  maxBulkLen: 512 * 1024 * 1024,
  maxMultibulkLen: 1024 * 1024,
  maxInlineSize: 64 * 1024,
  maxQueryBuffer: 1024 * 1024 * 1024,
};

/** A protocol error: `reply` is the error text to send (null: close without a reply). */
export interface ProtocolError {
  reply: string | null;
  /** Short reason for the log, as Redis's setProtocolError gives one. */
  reason: string;
}

const EMPTY = Buffer.alloc(0);

/**
 * Argument views are made like Node's own FastBuffer (a Uint8Array subclass whose prototype is
 * Buffer.prototype), but without Buffer#subarray's argument checks and `.buffer` lookup: about
 * half the cost, and a view is made for every argument of every command. They are Buffers in
 * every way that matters: instanceof Buffer, Buffer.isBuffer, every Buffer method.
 */
class ArgView extends Uint8Array {}
Object.setPrototypeOf(ArgView.prototype, Buffer.prototype);
Object.defineProperty(ArgView.prototype, 'constructor', {
  value: Buffer,
  writable: true,
  configurable: true,
});

export class RespParser {
  /** Set by the connection before parsing: the client has not authenticated yet. */
  authRequired = false;
  /** Once set, the parser stops; the connection replies (if `reply`) and closes. */
  error: ProtocolError | null = null;

  private data: Buffer = EMPTY;
  /** `data`'s ArrayBuffer and offset, for making argument views. */
  private ab = EMPTY.buffer as ArrayBuffer;
  private abOffset = 0;
  private pos = 0;
  /** End of valid bytes in `data` (an accumulation buffer has spare capacity past it). */
  private end = 0;
  /** `data` is our accumulation buffer: bytes past `end` are ours to fill. */
  private owned = false;

  /** The multibulk command being read, or null between commands. */
  private argv: Buffer[] | null = null;
  /** Arguments still to read for `argv`, and how many it holds. */
  private remaining = 0;
  private argc = 0;
  /** Length of the bulk being read; -1 while its `$N` line is still to come. */
  private bulkLen = -1;
  /** Bytes (plus per-argument overhead) of the arguments read so far for `argv`. */
  private argBytes = 0;
  /** A large bulk being assembled across chunks, and how much of it has arrived. */
  private big: Buffer | null = null;
  private bigFill = 0;
  /** Bytes of a bulk's trailing CRLF still to skip (after a large bulk). */
  private skip = 0;
  /**
   * Where the command being read began in `data`, and where the last returned one began (-1
   * once its bytes left `data`): while it runs, CLIENT LIST shows its bytes and what follows as
   * qbuf, as Redis does (it trims the query buffer only after running the commands of a read).
   */
  private cmdStart = -1;
  private lastStart = -1;

  constructor(public limits: ParserLimits = DEFAULT_LIMITS) {}

  /** Bytes received and not yet parsed (CLIENT LIST qbuf). */
  get buffered(): number {
    return this.end - this.pos + this.bigFill;
  }

  /** qbuf while the last returned command runs: its own bytes plus the unparsed rest. */
  get commandQbuf(): number {
    return this.lastStart >= 0 ? this.end - this.lastStart + this.bigFill : this.buffered;
  }

  /** What the query buffer limit counts: unparsed bytes plus the current command's arguments. */
  get pendingBytes(): number {
    return this.end - this.pos + this.bigFill + this.argBytes;
  }

  /** Bytes still to come of a bulk of 32 KB or more being read (Redis's big arg), else 0. */
  get bigArgRemaining(): number {
    if (this.bulkLen < BIG_ARG_BYTES) return 0;
    return Math.max(0, this.bulkLen + 2 - (this.big !== null ? this.bigFill : this.end - this.pos));
  }

  /** Append a chunk from the socket. Chunks must not be modified afterwards. */
  feed(chunk: Buffer): void {
    if (this.error !== null || chunk.length === 0) return;
    let off = 0;
    if (this.big !== null) {
      off = this.fillBig(chunk);
      if (off === chunk.length) {
        this.checkQueryBuffer();
        return;
      }
    }
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length - off);
      this.skip -= n;
      off += n;
      if (off === chunk.length) return;
    }
    if (off > 0) chunk = chunk.subarray(off);
    if (this.pos >= this.end) {
      this.setData(chunk, chunk.length, false);
    } else if (this.owned && this.data.length - this.end >= chunk.length) {
      chunk.copy(this.data, this.end);
      this.end += chunk.length;
    } else {
      const left = this.end - this.pos;
      const acc = Buffer.allocUnsafeSlow(Math.max(2 * (left + chunk.length), MIN_ACC_BYTES));
      this.data.copy(acc, 0, this.pos, this.end);
      chunk.copy(acc, left);
      this.setData(acc, left + chunk.length, true);
    }
    this.checkQueryBuffer();
  }

  private setData(data: Buffer, end: number, owned: boolean): void {
    this.data = data;
    // Socket chunks and our own buffers never live in a SharedArrayBuffer.
    this.ab = data.buffer as ArrayBuffer;
    this.abOffset = data.byteOffset;
    this.pos = 0;
    this.end = end;
    this.owned = owned;
    this.lastStart = -1;
    if (this.argv !== null) this.cmdStart = -1;
  }

  /**
   * The next complete command, or null when more input is needed or a protocol error occurred
   * (see `error`). Empty commands (`*0`, `*-1`, blank inline lines) are skipped as Redis does.
   */
  next(): Buffer[] | null {
    if (this.error !== null || this.big !== null || this.skip > 0) return null;
    for (;;) {
      if (this.argv === null) {
        if (this.pos >= this.end) return null;
        this.cmdStart = this.pos;
        if (this.data[this.pos] !== STAR) {
          const inline = this.readInline();
          if (inline === null) return null;
          if (inline.length === 0) continue;
          this.lastStart = this.cmdStart;
          return inline;
        }
        if (!this.readMultibulkHeader()) return null;
        if (this.argv === null) continue; // `*0` or a negative count: nothing to run
      }
      if (!this.readBulks()) return null;
      const argv = this.argv!;
      this.argv = null;
      this.argBytes = 0;
      this.lastStart = this.cmdStart;
      return argv;
    }
  }

  // ---- multibulk --------------------------------------------------------------------------

  /** Reads `*N\r\n`. False when the line is incomplete or invalid (then `error` is set). */
  private readMultibulkHeader(): boolean {
    const n = fastCount(this.data, this.pos, this.end);
    if (n > 0 && n <= this.limits.maxMultibulkLen && (n <= UNAUTH_MAX_MULTIBULK || !this.authRequired)) {
      this.pos = countEnd;
      this.startCommand(n);
      this.remaining = n;
      this.bulkLen = -1;
      return true;
    }
    return this.readMultibulkHeaderSlow();
  }

  /** Every other `*` line: incomplete, negative, malformed or out of bounds, as Redis judges it. */
  private readMultibulkHeaderSlow(): boolean {
    const d = this.data;
    const start = this.pos;
    const cr = findCR(d, start, this.end);
    if (cr < 0) {
      if (this.end - start > this.limits.maxInlineSize) {
        this.fail('Protocol error: too big mbulk count string', 'too big mbulk count string');
      }
      return false;
    }
    if (cr - start > this.limits.maxInlineSize) {
      this.fail('Protocol error: too big mbulk count string', 'too big mbulk count string');
      return false;
    }
    // Redis waits for one byte after the '\r' and skips it without looking at it.
    if (cr + 2 > this.end) return false;
    const n = parseLL(d, start + 1, cr);
    if (Number.isNaN(n) && hasNul(d, start, cr)) return this.lineNeverEnds('mbulk count string');
    if (Number.isNaN(n) || n > this.limits.maxMultibulkLen) {
      this.fail('Protocol error: invalid multibulk length', 'invalid mbulk count');
      return false;
    }
    if (n > UNAUTH_MAX_MULTIBULK && this.authRequired) {
      this.fail('Protocol error: unauthenticated multibulk length', 'unauth mbulk count');
      return false;
    }
    this.pos = cr + 2;
    if (n <= 0) return true;
    this.startCommand(n);
    this.remaining = n;
    this.bulkLen = -1;
    return true;
  }

  /**
   * A sized array costs less than one grown by push, but a client's count alone must not make us
   * reserve much: like Redis (argv_len = min(count, 1024)), larger commands grow as they arrive.
   */
  private startCommand(n: number): void {
    this.argv = new Array(Math.min(n, ARGV_PREALLOC));
    this.argc = 0;
  }

  private addArg(arg: Buffer): void {
    const argv = this.argv!;
    if (this.argc < argv.length) argv[this.argc] = arg;
    else argv.push(arg);
    this.argc++;
  }

  /** Reads bulks until the command is complete (true) or input runs out / an error occurs. */
  private readBulks(): boolean {
    const limits = this.limits;
    while (this.remaining > 0) {
      const d = this.data;
      const end = this.end;
      let pos = this.pos;
      if (this.bulkLen < 0) {
        const n = d[pos] === DOLLAR ? fastCount(d, pos, end) : -1;
        if (n >= 0 && n <= limits.maxBulkLen && (n <= UNAUTH_MAX_BULK_BYTES || !this.authRequired)) {
          pos = countEnd;
          this.pos = pos;
          this.bulkLen = n;
        } else if (!this.readBulkCountSlow()) {
          return false;
        } else {
          pos = this.pos;
        }
      }
      const len = this.bulkLen;
      if (end - pos >= len + 2) {
        // Like Redis, the two bytes after the value are skipped without checking them.
        this.addArg(new ArgView(this.ab, this.abOffset + pos, len) as unknown as Buffer);
        this.pos = pos + len + 2;
        this.argBytes += len + ARG_OVERHEAD_BYTES;
        this.bulkLen = -1;
        this.remaining--;
        continue;
      }
      if (len >= BIG_ARG_BYTES) this.startBig(len);
      return false;
    }
    return true;
  }

  /** Every other `$` line: incomplete, malformed or out of bounds, as Redis judges it. */
  private readBulkCountSlow(): boolean {
    const limits = this.limits;
    const d = this.data;
    const end = this.end;
    const pos = this.pos;
    const cr = findCR(d, pos, end);
    if (cr < 0) {
      if (end - pos > limits.maxInlineSize) {
        this.fail('Protocol error: too big bulk count string', 'too big bulk count string');
      }
      return false;
    }
    if (cr - pos > limits.maxInlineSize) {
      this.fail('Protocol error: too big bulk count string', 'too big bulk count string');
      return false;
    }
    if (cr + 2 > end) return false;
    const n = d[pos] === DOLLAR ? parseLL(d, pos + 1, cr) : Number.NaN;
    if (Number.isNaN(n) && hasNul(d, pos, cr)) return this.lineNeverEnds('bulk count string');
    if (d[pos] !== DOLLAR) {
      this.fail(`Protocol error: expected '$', got '${String.fromCharCode(d[pos])}'`, 'expected $');
      return false;
    }
    if (Number.isNaN(n) || n < 0 || n > limits.maxBulkLen) {
      this.fail('Protocol error: invalid bulk length', 'invalid bulk length');
      return false;
    }
    if (n > UNAUTH_MAX_BULK_BYTES && this.authRequired) {
      this.fail('Protocol error: unauthenticated bulk length', 'unauth bulk length');
      return false;
    }
    this.pos = cr + 2;
    this.bulkLen = n;
    return true;
  }

  /** Start assembling a large bulk whose bytes run past the end of the buffered input. */
  private startBig(len: number): void {
    const avail = this.end - this.pos;
    // Grow toward `len` rather than reserving it at once: a client that announces a 512 MB
    // value and sends nothing should not cost 512 MB.
    const cap = Math.min(len, Math.max(avail * 2, 1024 * 1024));
    this.big = Buffer.allocUnsafeSlow(cap);
    this.bigFill = 0;
    const chunk = this.data.subarray(this.pos, this.end);
    this.setData(EMPTY, 0, false);
    // The caller saw fewer than len + 2 bytes, so all of them belong to this bulk and its CRLF.
    this.fillBig(chunk);
  }

  /** Copy the next bytes of a large bulk from `chunk`; returns how many bytes were used. */
  private fillBig(chunk: Buffer): number {
    const len = this.bulkLen;
    let big = this.big!;
    const n = Math.min(len - this.bigFill, chunk.length);
    if (this.bigFill + n > big.length) {
      const grown = Buffer.allocUnsafeSlow(Math.min(len, Math.max(big.length * 2, this.bigFill + n)));
      big.copy(grown, 0, 0, this.bigFill);
      big = grown;
      this.big = grown;
    }
    chunk.copy(big, this.bigFill, 0, n);
    this.bigFill += n;
    if (this.bigFill < len) return n;
    this.addArg(big.length === len ? big : big.subarray(0, len));
    this.argBytes += len + ARG_OVERHEAD_BYTES;
    this.big = null;
    this.bigFill = 0;
    this.bulkLen = -1;
    this.remaining--;
    const s = Math.min(2, chunk.length - n);
    this.skip = 2 - s;
    return n + s;
  }

  // ---- inline -------------------------------------------------------------------------------

  /** Reads one inline command line. Null when incomplete or invalid (then `error` is set). */
  private readInline(): Buffer[] | null {
    const d = this.data;
    const start = this.pos;
    let nl = d.indexOf(LF, start);
    if (nl >= this.end) nl = -1;
    const max = this.limits.maxInlineSize;
    if (nl < 0) {
      // The bound is on the line without its ending: a trailing '\r' may be the start of the
      // "\r\n" still to come, so it does not count yet. Otherwise a line of exactly the bound
      // would pass or fail depending on whether its '\n' came in the same read.
      const len = this.end - start - (d[this.end - 1] === CR ? 1 : 0);
      if (len > max) this.fail('Protocol error: too big inline request', 'too big inline request');
      return null;
    }
    if (hasNul(d, start, nl)) {
      this.lineNeverEnds('inline request');
      return null;
    }
    let lineEnd = nl;
    if (lineEnd > start && d[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd - start > max) {
      this.fail('Protocol error: too big inline request', 'too big inline request');
      return null;
    }
    const argv = splitArgs(d, start, lineEnd);
    if (argv === null) {
      this.fail('Protocol error: unbalanced quotes in request', 'unbalanced quotes in inline request');
      return null;
    }
    this.pos = nl + 1;
    return argv;
  }

  // ---- bounds and errors --------------------------------------------------------------------

  private checkQueryBuffer(): void {
    if (this.pendingBytes > this.limits.maxQueryBuffer) {
      this.error = { reply: null, reason: 'reached max query buffer length' };
    }
  }

  /**
   * Redis finds line ends with strchr(), which stops at a NUL byte: a line with a NUL in it never
   * ends, and the client gets the "too big" error once the unparsed input passes the bound.
   */
  private lineNeverEnds(what: string): false {
    if (this.end - this.pos > this.limits.maxInlineSize)
      this.fail(`Protocol error: too big ${what}`, `too big ${what}`);
    return false;
  }

  private fail(reply: string, reason: string): void {
    this.error = { reply: `ERR ${reply}`, reason };
  }
}
