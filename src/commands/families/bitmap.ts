/**
 * Bitmaps on the string type: SETBIT GETBIT BITCOUNT BITPOS (Redis's bitops.c), plus BITOP and
 * BITFIELD from their own files, exported here as one family. A string is a bit array whose
 * bit 0 is the most significant bit of its first byte; bits past the end read as 0, and a write
 * past the end zero-pads the string first (bounded by `proto-max-bulk-len`).
 */
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { bitfieldCommands } from './bitfield.js';
import {
  bitValueError,
  lookupBits,
  lookupBitsWrite,
  parseBitOffset,
  parseUnit,
  patchBits,
} from './bitmap-args.js';
import { bitpos as findBit, popcount } from './bitmap-core.js';
import { bitopCommands } from './bitop.js';
import { notify, notifyNew } from './keyspace-events.js';

/**
 * SETBIT key offset 0|1: the previous bit. Like Redis, nothing is written (no event, no dirty
 * count) when the bit already has that value and the string needs no padding. The byte is
 * changed in place: a large bitmap is not copied per call.
 */
function setbit(ctx: CommandContext, argv: Buffer[]): Reply {
  const offset = parseBitOffset(ctx, argv[2]);
  if (offset instanceof ErrorReply) return offset;
  const on = parseInt64(argv[3]);
  if (on === null || (on !== 0n && on !== 1n)) return bitValueError;
  const key = argv[1];
  const cur = lookupBitsWrite(ctx, key);
  if (cur instanceof ErrorReply) return cur;
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const inside = cur !== null && byte < cur.length;
  const was = inside && (cur[byte] & mask) !== 0 ? 1 : 0;
  if (inside && was === Number(on)) return was;
  if (cur === null) {
    const bytes = Buffer.alloc(byte + 1);
    if (on === 1n) bytes[byte] = mask;
    ctx.server.keyspace.set(ctx.client.db, key, bytes, 0, false, true);
    notifyNew(ctx, key);
  } else
    patchBits(ctx, key, byte + 1, (p) => {
      p[byte] = on === 1n ? p[byte] | mask : p[byte] & ~mask;
      return true;
    });
  notify(ctx, '$', 'setbit', key);
  return was;
}

/** GETBIT key offset: the offset is checked before the key is looked up. */
function getbit(ctx: CommandContext, argv: Buffer[]): Reply {
  const offset = parseBitOffset(ctx, argv[2]);
  if (offset instanceof ErrorReply) return offset;
  const v = lookupBits(ctx, argv[1]);
  if (v instanceof ErrorReply) return v;
  const byte = Math.floor(offset / 8);
  if (v === null || byte >= v.length) return 0;
  return (v[byte] >> (7 - (offset % 8))) & 1;
}

/**
 * A range of a string in bytes, after Redis's index arithmetic: negative ends count from the
 * end, both are clamped into the string; in BIT units the edge bytes carry masks of the bits
 * outside the range (`firstMask` high bits of the first byte, `lastMask` low bits of the last).
 */
interface ByteRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

/** Clamp [start, end] (int64 arguments) into a string of `len` bytes, in bytes or bits. */
function clampRange(start: bigint, end: bigint, len: number, isBit: boolean): ByteRange {
  const total = BigInt(isBit ? len * 8 : len);
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  // A start past the end makes the range empty; keep it past, as a safe number.
  if (start > total) start = total;
  let s = Number(start);
  let e = Number(end);
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && s <= e) {
    firstMask = ~((1 << (8 - (s & 7))) - 1) & 0xff;
    lastMask = (1 << (7 - (e & 7))) - 1;
    s = Math.floor(s / 8);
    e = Math.floor(e / 8);
  }
  return { start: s, end: e, firstMask, lastMask };
}

/**
 * BITCOUNT key [start end [BYTE | BIT]]. As in Redis, a missing key answers 0 before the
 * arguments are read, and two negative indexes with start > end answer 0 before the unit is.
 */
function bitcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const v = lookupBits(ctx, argv[1]);
  if (v instanceof ErrorReply) return v;
  if (v === null) return 0;
  let r: ByteRange;
  if (argv.length === 4 || argv.length === 5) {
    const start = parseInt64(argv[2]);
    if (start === null) return Errors.notInteger;
    const end = parseInt64(argv[3]);
    if (end === null) return Errors.notInteger;
    if (start < 0n && end < 0n && start > end) return 0;
    const isBit = argv.length === 5 ? parseUnit(argv[4]) : false;
    if (isBit instanceof ErrorReply) return isBit;
    r = clampRange(start, end, v.length, isBit);
  } else if (argv.length === 2) r = { start: 0, end: v.length - 1, firstMask: 0, lastMask: 0 };
  else return Errors.syntax;
  if (r.start > r.end) return 0;
  let count = popcount(v, r.start, r.end - r.start + 1);
  // The edge bytes were counted whole: take back the bits outside the range.
  if (r.firstMask !== 0) count -= popcount(Uint8Array.of(v[r.start] & r.firstMask), 0, 1);
  if (r.lastMask !== 0) count -= popcount(Uint8Array.of(v[r.end] & r.lastMask), 0, 1);
  return count;
}

/** The first `bit` in one byte as redisBitpos sees it (-1, or 8 for a 0 not found). */
function bitposByte(b: number, bit: number): number {
  return findBit(Uint8Array.of(b & 0xff), 0, 1, bit);
}

/**
 * BITPOS key bit [start [end [BYTE | BIT]]]. A missing key is all zeros: 0 for a 0, -1 for a
 * 1. Without an explicit end the string counts as zero-padded on the right, so a 0 is found
 * just past it; with one, a range holding no 0 answers -1. The edge bytes of a BIT range are
 * searched with the bits outside the range forced to the opposite value, then the whole bytes
 * between them, in Redis's order (its early exits decide some answers).
 */
function bitpos(ctx: CommandContext, argv: Buffer[]): Reply {
  const bitArg = parseInt64(argv[2]);
  if (bitArg === null) return Errors.notInteger;
  if (bitArg !== 0n && bitArg !== 1n) return bitArgError;
  const bit = Number(bitArg);
  const v = lookupBits(ctx, argv[1]);
  if (v instanceof ErrorReply) return v;
  if (v === null) return bit === 1 ? -1 : 0;
  const argc = argv.length;
  let endGiven = false;
  let r: ByteRange;
  if (argc >= 4 && argc <= 6) {
    const start = parseInt64(argv[3]);
    if (start === null) return Errors.notInteger;
    const isBit = argc === 6 ? parseUnit(argv[5]) : false;
    if (isBit instanceof ErrorReply) return isBit;
    let end: bigint;
    if (argc >= 5) {
      const e = parseInt64(argv[4]);
      if (e === null) return Errors.notInteger;
      end = e;
      endGiven = true;
    } else end = BigInt(isBit ? v.length * 8 + 7 : v.length - 1);
    r = clampRange(start, end, v.length, isBit);
  } else if (argc === 3) r = { start: 0, end: v.length - 1, firstMask: 0, lastMask: 0 };
  else return Errors.syntax;
  if (r.start > r.end) return -1;
  const found = searchRange(v, r, bit);
  if (endGiven && bit === 0 && found.pos === found.bytes * 8) return -1;
  return found.pos === -1 ? -1 : found.pos + found.start * 8;
}

/**
 * Redis's bitposCommand search over a non-empty range: the masked first byte, the whole bytes,
 * then the masked last byte, stopping at the first step that settles the answer. Returns the
 * position relative to `start` and the `start` / `bytes` of the step that answered.
 */
function searchRange(v: Buffer, r: ByteRange, bit: number): { pos: number; start: number; bytes: number } {
  let { start } = r;
  const { end, firstMask, lastMask } = r;
  let bytes = end - start + 1;
  if (firstMask !== 0) {
    let b = bit === 1 ? v[start] & ~firstMask : v[start] | firstMask;
    if (lastMask !== 0 && bytes === 1) b = bit === 1 ? b & ~lastMask : b | lastMask;
    const pos = bitposByte(b, bit);
    if (bytes === 1 || (pos !== -1 && pos !== 8)) return { pos, start, bytes };
    start++;
    bytes--;
  }
  const whole = bytes - (lastMask !== 0 ? 1 : 0);
  if (whole > 0) {
    const pos = findBit(v, start, whole, bit);
    if (bytes === whole || (pos !== -1 && pos !== whole * 8)) return { pos, start, bytes };
    start += whole;
    bytes -= whole;
  }
  const pos = bitposByte(bit === 1 ? v[end] & ~lastMask : v[end] | lastMask, bit);
  return { pos, start, bytes };
}

const bitArgError = new ErrorReply('ERR', 'ERR The bit argument must be 1 or 0.');

const BITMAP = { group: 'bitmap', firstKey: 1, lastKey: 1, step: 1 } as const;

const bitCommands: readonly CommandSpec[] = [
  command({
    ...BITMAP,
    name: 'setbit',
    arity: 4,
    flags: ['write', 'denyoom'],
    summary: 'Sets or clears the bit at offset in the string value stored at key',
    since: '2.2.0',
    complexity: 'O(1)',
    syntax: 'key offset value',
    handler: setbit,
  }),
  command({
    ...BITMAP,
    name: 'getbit',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Returns the bit value at offset in the string value stored at key',
    since: '2.2.0',
    complexity: 'O(1)',
    syntax: 'key offset',
    handler: getbit,
  }),
  command({
    ...BITMAP,
    name: 'bitcount',
    arity: -2,
    flags: ['readonly'],
    summary: 'Count set bits in a string',
    since: '2.6.0',
    complexity: 'O(N)',
    syntax: 'key [start end [BYTE | BIT]]',
    handler: bitcount,
  }),
  command({
    ...BITMAP,
    name: 'bitpos',
    arity: -3,
    flags: ['readonly'],
    summary: 'Find first bit set or clear in a string',
    since: '2.8.7',
    complexity: 'O(N)',
    syntax: 'key bit [start [end [BYTE | BIT]]]',
    handler: bitpos,
  }),
];

/** Every bitmap command: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO. */
export const bitmapCommands: readonly CommandSpec[] = [...bitCommands, ...bitopCommands, ...bitfieldCommands];
