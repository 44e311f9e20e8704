/**
 * Renders protocol-neutral replies as RESP2 or RESP3 into a growable output buffer. Integers and
 * lengths are written as ASCII digits in place and bulk bytes are copied, so the common replies
 * cost no allocation. Renderings follow Redis 7.0 (networking.c addReply*).
 */
import {
  AttributeReply,
  BigNumberReply,
  BooleanReply,
  BulkStringsReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NO_REPLY,
  NULL_ARRAY,
  OK,
  PushReply,
  RawReply,
  type Reply,
  SequenceReply,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from '../../commands/reply.js';
import { formatDouble } from '../../util/double.js';

export { formatDouble };

const CR = 13;
const LF = 10;
export const DEFAULT_OUTPUT_BYTES = 16 * 1024;

/**
 * Output bytes not yet handed to the socket live in [start, len). Bytes before `start` were
 * handed to the socket and may still be queued inside it, so they are never written over: the
 * owner calls `reset()` only once the socket has taken everything (writableLength === 0).
 */
export class OutputBuffer {
  buf: Buffer;
  start = 0;
  len = 0;

  constructor(readonly initialBytes = DEFAULT_OUTPUT_BYTES) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Bytes rendered and not yet taken. */
  get pending(): number {
    return this.len - this.start;
  }

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const used = this.len - this.start;
    let cap = Math.max(this.initialBytes, this.buf.length);
    while (cap < used + n) cap *= 2;
    const next = Buffer.allocUnsafeSlow(cap);
    this.buf.copy(next, 0, this.start, this.len);
    this.buf = next;
    this.start = 0;
    this.len = used;
  }

  /** The pending bytes, now owned by the caller (the socket); later output goes after them. */
  take(): Buffer {
    const out = this.buf.subarray(this.start, this.len);
    this.start = this.len;
    return out;
  }

  /** Everything taken has left the process: start over at the front (or shrink after a burst). */
  reset(maxKeepBytes: number): void {
    this.start = 0;
    this.len = 0;
    if (this.buf.length > maxKeepBytes) this.buf = Buffer.allocUnsafeSlow(this.initialBytes);
  }

  /** Drop output rendered since `mark` (a reply that must not be sent after all). */
  truncate(mark: number): void {
    this.len = mark;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  crlf(): void {
    this.reserve(2);
    const buf = this.buf;
    buf[this.len] = CR;
    buf[this.len + 1] = LF;
    this.len += 2;
  }

  /** `<prefix><n>\r\n` for a non-negative safe integer n (a length or count). */
  header(prefix: number, n: number): void {
    this.reserve(20);
    const buf = this.buf;
    buf[this.len++] = prefix;
    this.len = writeUint(buf, this.len, n);
    buf[this.len] = CR;
    buf[this.len + 1] = LF;
    this.len += 2;
  }

  /** Raw bytes (already in protocol form). */
  bytes(b: Buffer): void {
    const n = b.length;
    this.reserve(n);
    const buf = this.buf;
    const p = this.len;
    // Short constants (`+OK\r\n`, `$-1\r\n`) are cheaper to copy by hand than by a native call.
    if (n <= 16) for (let i = 0; i < n; i++) buf[p + i] = b[i];
    else b.copy(buf, p);
    this.len = p + n;
  }

  /** A JS string as UTF-8 (no CRLF). */
  text(s: string): void {
    this.reserve(s.length * 3);
    const buf = this.buf;
    let p = this.len;
    // Short ASCII strings (status words, error texts) are cheaper to copy by hand.
    if (s.length <= 32) {
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) break;
        buf[p++] = c;
      }
      if (i === s.length) {
        this.len = p;
        return;
      }
      p = this.len;
    }
    this.len = p + buf.write(s, p, 'utf8');
  }
}

const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;
const COMMA = 44;
const HASH = 35;
const PERCENT = 37;
const TILDE = 126;
const EQUALS = 61;
const GREATER = 62;
const PIPE = 124;

const OK_BYTES = Buffer.from('+OK\r\n');
const NULL2 = Buffer.from('$-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const NULL_ARRAY2 = Buffer.from('*-1\r\n');

/** Write decimal digits of a non-negative integer; returns the new offset. */
function writeUint(buf: Buffer, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n;
    return p + 1;
  }
  let digits = 2;
  for (let t = n; t >= 100; t = Math.floor(t / 10)) digits++;
  let q = p + digits;
  const after = q;
  while (n >= 10) {
    const d = Math.floor(n / 10);
    buf[--q] = 48 + (n - d * 10);
    n = d;
  }
  buf[--q] = 48 + n;
  return after;
}

/** Render one reply. NO_REPLY renders nothing. */
export function writeReply(out: OutputBuffer, r: Reply, resp: 2 | 3): void {
  // The common replies first, cheapest test first.
  if (r === OK) out.bytes(OK_BYTES);
  else if (r instanceof Buffer) writeBulk(out, r);
  else if (r === null) out.bytes(resp === 2 ? NULL2 : NULL3);
  else if (typeof r === 'number') writeInteger(out, r);
  else if (r instanceof SimpleReply) writeLine(out, PLUS, r.value);
  else if (r instanceof ErrorReply) writeError(out, r.message);
  else if (Array.isArray(r)) {
    out.header(STAR, r.length);
    for (const item of r) writeItem(out, item, resp);
  } else if (r instanceof BulkStringsReply) writeBulkStrings(out, r.items);
  else if (typeof r === 'bigint') {
    out.byte(COLON);
    out.text(r.toString());
    out.crlf();
  } else if (r instanceof DoubleReply) writeDouble(out, r.value, resp, r.text);
  else if (r instanceof BooleanReply) {
    if (resp === 2) writeInteger(out, r.value ? 1 : 0);
    else {
      out.byte(HASH);
      out.byte(r.value ? 116 : 102);
      out.crlf();
    }
  } else if (r instanceof MapReply) {
    if (resp === 2) out.header(STAR, r.entries.length * 2);
    else out.header(PERCENT, r.entries.length);
    for (const [k, v] of r.entries) {
      writeItem(out, k, resp);
      writeItem(out, v, resp);
    }
  } else if (r instanceof SetReply) {
    out.header(resp === 2 ? STAR : TILDE, r.items.length);
    for (const item of r.items) writeItem(out, item, resp);
  } else if (r instanceof VerbatimReply) {
    if (resp === 2) writeBulk(out, Buffer.from(r.text, 'utf8'));
    else {
      // The format is always three characters (`txt`, `mkd`).
      const body = Buffer.from(`${r.format.padEnd(3, ' ').slice(0, 3)}:${r.text}`, 'utf8');
      out.header(EQUALS, body.length);
      out.bytes(body);
      out.crlf();
    }
  } else if (r instanceof PushReply) {
    out.header(resp === 2 ? STAR : GREATER, r.items.length);
    for (const item of r.items) writeItem(out, item, resp);
  } else if (r instanceof SequenceReply) {
    for (const item of r.replies) writeItem(out, item, resp);
  } else if (r === NULL_ARRAY) out.bytes(resp === 2 ? NULL_ARRAY2 : NULL3);
  else if (r instanceof RawReply) out.bytes(r.bytes);
  else if (r instanceof BigNumberReply) {
    if (resp === 2) writeBulk(out, Buffer.from(r.value, 'latin1'));
    else {
      out.byte(40); // '('
      out.text(r.value);
      out.crlf();
    }
  } else if (r instanceof AttributeReply) {
    if (resp === 3) {
      out.header(PIPE, r.attributes.length);
      for (const [k, v] of r.attributes) {
        writeItem(out, k, resp);
        writeItem(out, v, resp);
      }
    }
    writeItem(out, r.reply, resp);
  } else if (r !== NO_REPLY) throw new TypeError(`cannot render reply of type ${typeof r}`);
}

/** Inside an aggregate there is always an element to write: NO_REPLY stands for null there. */
function writeItem(out: OutputBuffer, r: Reply, resp: 2 | 3): void {
  writeReply(out, r === NO_REPLY ? null : r, resp);
}

export function writeBulk(out: OutputBuffer, b: Buffer): void {
  const n = b.length;
  const p = bulkStart(out, n);
  const buf = out.buf;
  if (n <= 32) {
    for (let i = 0; i < n; i++) buf[p + i] = b[i];
  } else {
    b.copy(buf, p);
  }
  bulkEnd(out, p + n);
}

/** An array of latin1 strings as bulk strings, written straight from the strings. */
function writeBulkStrings(out: OutputBuffer, items: readonly string[]): void {
  out.header(STAR, items.length);
  for (let k = 0; k < items.length; k++) {
    const s = items[k];
    const n = s.length;
    const p = bulkStart(out, n);
    const buf = out.buf;
    if (n <= 32) {
      for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
    } else buf.write(s, p, n, 'latin1');
    bulkEnd(out, p + n);
  }
}

/** Room for a bulk of `n` bytes and its `$n\r\n` header written: where the bytes go. */
function bulkStart(out: OutputBuffer, n: number): number {
  out.reserve(n + 16);
  const buf = out.buf;
  let p = out.len;
  buf[p++] = DOLLAR;
  p = writeUint(buf, p, n);
  buf[p++] = CR;
  buf[p++] = LF;
  return p;
}

/** The bulk's closing CRLF after its bytes, which end at `p`. */
function bulkEnd(out: OutputBuffer, p: number): void {
  const buf = out.buf;
  buf[p] = CR;
  buf[p + 1] = LF;
  out.len = p + 2;
}

export function writeInteger(out: OutputBuffer, n: number): void {
  if (!Number.isSafeInteger(n)) {
    // Handlers return integers; a fraction or a huge double here is a bug, so keep the protocol
    // valid with the integer part rather than emit `:1.5`.
    out.byte(COLON);
    out.text(Number.isFinite(n) ? BigInt(Math.trunc(n)).toString() : '0');
    out.crlf();
    return;
  }
  out.reserve(24);
  const buf = out.buf;
  let p = out.len;
  buf[p++] = COLON;
  if (n < 0) {
    buf[p++] = MINUS;
    n = -n;
  }
  p = writeUint(buf, p, n);
  buf[p++] = CR;
  buf[p++] = LF;
  out.len = p;
}

/** `+text` / `-text` on one line: Redis turns CR and LF inside into spaces. */
function writeLine(out: OutputBuffer, prefix: number, s: string): void {
  out.byte(prefix);
  out.text(s.includes('\r') || s.includes('\n') ? s.replace(/[\r\n]/g, ' ') : s);
  out.crlf();
}

export function writeError(out: OutputBuffer, message: string): void {
  writeLine(out, MINUS, message);
}

function writeDouble(out: OutputBuffer, d: number, resp: 2 | 3, text?: string): void {
  const s = text ?? formatDouble(d);
  if (resp === 3) {
    out.byte(COMMA);
    out.text(s);
    out.crlf();
    return;
  }
  out.header(DOLLAR, s.length);
  out.text(s);
  out.crlf();
}
