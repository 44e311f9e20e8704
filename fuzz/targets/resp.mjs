/**
 * Fuzz target: the RESP request parser (the compiled one in dist/, as the server runs it).
 *
 * Input layout: byte 0 picks the options (bit 0: the client is not authenticated yet; bits 1-2:
 * a set of limits; bit 3: a small client-query-buffer-limit), bytes 1-3 pick the chunk sizes the
 * rest is fed in (cycling), and the rest is the byte stream from the client.
 *
 * Besides "never throws", each input checks what the parser promises:
 * - the stream split into chunks gives the same commands and the same protocol error as the
 *   stream fed whole (unless the query buffer limit applies, which depends on read sizes, as in
 *   Redis);
 * - every command respects the limits (argument count and sizes);
 * - arguments handed out are never written over by later input (they may be views into buffers);
 * - what the parser holds between commands stays bounded by the limits, not by the input.
 */
import { RespParser } from '../../dist/protocols/resp/parser.js';

const HEADER_BYTES = 4;
const NO_QBUF_LIMIT = 2 ** 40;
/** Smallest accumulation buffer the parser allocates (MIN_ACC_BYTES in parser.ts). */
const MIN_ACC_BYTES = 4096;

/** Limit sets; inline sizes stay at 16 or more, as ParserLimits requires (the config: 1024). */
const PROFILES = [
  { maxBulkLen: 512 * 1024 * 1024, maxMultibulkLen: 1024 * 1024, maxInlineSize: 64 * 1024 },
  { maxBulkLen: 40, maxMultibulkLen: 4, maxInlineSize: 16 },
  { maxBulkLen: 64 * 1024, maxMultibulkLen: 100, maxInlineSize: 64 },
  { maxBulkLen: 0, maxMultibulkLen: 1, maxInlineSize: 1024 },
];

class Violation extends Error {}

function check(ok, what) {
  if (!ok) throw new Violation(what);
}

/** Options decoded from the header. */
function options(data) {
  const flags = data.length > 0 ? data[0] : 0;
  const profile = PROFILES[(flags >> 1) & 3];
  const smallQbuf = (flags & 8) !== 0;
  const sizes = [];
  for (let i = 1; i < HEADER_BYTES; i++) {
    const b = i < data.length ? data[i] : 0;
    // 1-64 bytes, or (high bit) up to 8 KB: both tiny and large reads.
    sizes.push(b & 0x80 ? ((b & 0x7f) + 1) * 64 : (b & 0x3f) + 1);
  }
  return {
    auth: (flags & 1) !== 0,
    limits: { ...profile, maxQueryBuffer: smallQbuf ? 256 : NO_QBUF_LIMIT },
    sizes,
  };
}

/** Bytes a parser holds on to while no complete command is buffered. */
function heldBytes(p) {
  return (p.owned ? p.data.length : 0) + (p.big === null ? 0 : p.big.length);
}

/**
 * Feed `stream` in chunks of `sizes` (cycling; one chunk when empty), pulling every command after
 * each chunk. Returns the commands (copied) and the error text, after checking the invariants.
 */
export function parseStream(stream, limits, auth, sizes) {
  const p = new RespParser(limits);
  p.authRequired = auth;
  const commands = [];
  const handed = [];
  let largestChunk = 0;
  let off = 0;
  for (let k = 0; off < stream.length || k === 0; k++) {
    const n = sizes.length === 0 ? stream.length : sizes[k % sizes.length];
    const chunk = stream.subarray(off, off + n);
    off += chunk.length;
    largestChunk = Math.max(largestChunk, chunk.length);
    p.feed(chunk);
    // The limit applies on each read, as in Redis: parsing may then add the arguments' overhead,
    // which the next read counts.
    check(
      p.error !== null || p.pendingBytes <= limits.maxQueryBuffer,
      'pending bytes within client-query-buffer-limit',
    );
    for (let argv = p.next(); argv !== null; argv = p.next()) {
      check(Array.isArray(argv) && argv.length > 0, 'a command has at least one argument');
      const copy = [];
      for (const a of argv) {
        check(Buffer.isBuffer(a), 'arguments are Buffers');
        check(a.length <= Math.max(limits.maxBulkLen, limits.maxInlineSize), 'argument within the limits');
        copy.push(Buffer.from(a));
        handed.push([a, copy[copy.length - 1]]);
      }
      commands.push(copy);
    }
    if (p.error !== null) break;
    // Between commands the parser holds at most one unfinished line or bulk, however the input
    // was cut: nothing grows with the number of commands or chunks.
    const bound = Math.max(limits.maxInlineSize, limits.maxBulkLen) + 2;
    check(p.buffered <= bound, `buffered ${p.buffered} > ${bound}`);
    const held = heldBytes(p);
    check(held <= Math.max(MIN_ACC_BYTES, 2 * (bound + largestChunk)), `holds ${held} bytes`);
  }
  for (const [view, copy] of handed) check(view.equals(copy), 'an argument handed out was overwritten');
  const e = p.error;
  const error = e === null ? null : e.reply === null ? `(close) ${e.reason}` : e.reply;
  if (error !== null && e.reply !== null) {
    // One short line of single-byte characters (the encoder turns CR and LF into spaces).
    check(/^ERR Protocol error: [\x00-\xff]{1,100}$/.test(e.reply), `error reply: ${e.reply}`);
  }
  return { commands, error };
}

function same(a, b) {
  if (a.error !== b.error || a.commands.length !== b.commands.length) return false;
  for (let i = 0; i < a.commands.length; i++) {
    const x = a.commands[i];
    const y = b.commands[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (!x[j].equals(y[j])) return false;
  }
  return true;
}

function describe(r) {
  const cmds = r.commands.map((c) => c.map((a) => a.toString('latin1')));
  return JSON.stringify({ commands: cmds, error: r.error }).slice(0, 400);
}

export function fuzz(data) {
  const { auth, limits, sizes } = options(data);
  const stream = data.subarray(Math.min(HEADER_BYTES, data.length));
  const chunked = parseStream(stream, limits, auth, sizes);
  if (limits.maxQueryBuffer !== NO_QBUF_LIMIT) return;
  const whole = parseStream(stream, limits, auth, []);
  check(same(chunked, whole), `split input parsed differently:\n${describe(chunked)}\n${describe(whole)}`);
  const bytes = parseStream(stream, limits, auth, [1]);
  check(same(bytes, whole), `byte-by-byte input parsed differently:\n${describe(bytes)}\n${describe(whole)}`);
}
