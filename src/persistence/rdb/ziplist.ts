/**
 * The packed encodings of older RDB versions, read only (Redis 7.0 reads them and converts
 * them; it writes listpacks instead): ziplists (Redis 2.6 .. 6.2: small lists, hashes, sorted
 * sets, quicklist nodes before RDB 10) and zipmaps (small hashes before Redis 2.6). Both are
 * validated as Redis's deep integrity checks do; anything malformed is an RdbFormatError.
 *
 * Ziplist: total bytes (u32 LE), tail offset (u32 LE), count (u16 LE; 65535 = count them),
 * entries, 0xFF. Entry: previous entry's size (1 byte, or 0xFE + u32 LE), encoding, data.
 * Zipmap: a count byte (254+ = unknown), then [len]field[len][free]value[free bytes] pairs
 * (len: 1 byte below 254, else 254 + u32 LE), then 0xFF.
 */
import { RdbFormatError } from './constants.js';

const ZIPLIST_HEADER = 10;
const ZIP_END = 0xff;
const ZIP_BIG_PREVLEN = 254;
const ZIPMAP_BIGLEN = 254;

/** An element as read: a string (view into the data) or an integer. */
export type ZiplistItem = Buffer | bigint;

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Every element of a ziplist, validated as ziplistValidateIntegrity(deep). */
export function decodeZiplist(data: Uint8Array): ZiplistItem[] {
  const zl = asBuffer(data);
  const size = zl.length;
  if (size < ZIPLIST_HEADER + 1) throw new RdbFormatError('ziplist too short');
  if (zl.readUInt32LE(0) !== size) throw new RdbFormatError('ziplist size mismatch');
  if (zl[size - 1] !== ZIP_END) throw new RdbFormatError('ziplist without terminator');
  const tail = zl.readUInt32LE(4);
  if (tail > size - 1) throw new RdbFormatError('ziplist tail out of range');
  const headerCount = zl.readUInt16LE(8);
  const last = size - 1; // the terminator: no entry byte may reach it
  const out: ZiplistItem[] = [];
  let p = ZIPLIST_HEADER;
  let prev = -1;
  let prevRawSize = 0;
  while (zl[p] !== ZIP_END) {
    const prevSizeBytes = zl[p] < ZIP_BIG_PREVLEN ? 1 : 5;
    if (p + prevSizeBytes > last) throw new RdbFormatError('ziplist entry out of range');
    const prevLen = prevSizeBytes === 1 ? zl[p] : zl.readUInt32LE(p + 1);
    const q = p + prevSizeBytes;
    const enc = zl[q];
    let lenSize: number;
    let len: number;
    if (enc < 0xc0) {
      lenSize = enc < 0x40 ? 1 : enc < 0x80 ? 2 : 5;
      if (q + lenSize > last) throw new RdbFormatError('ziplist entry out of range');
      len = enc < 0x40 ? enc & 0x3f : enc < 0x80 ? ((enc & 0x3f) << 8) | zl[q + 1] : zl.readUInt32BE(q + 1);
    } else {
      lenSize = 1;
      len = intWidth(enc);
      if (len < 0) throw new RdbFormatError('invalid ziplist encoding');
    }
    const headerSize = prevSizeBytes + lenSize;
    if (p + headerSize + len > last) throw new RdbFormatError('ziplist entry out of range');
    if (prevLen !== prevRawSize) throw new RdbFormatError('ziplist prevlen mismatch');
    const d = p + headerSize;
    out.push(enc < 0xc0 ? zl.subarray(d, d + len) : intAt(zl, enc, d));
    prevRawSize = headerSize + len;
    prev = p;
    p += prevRawSize;
  }
  if (p !== last) throw new RdbFormatError('ziplist terminator misplaced');
  if (prev >= 0 && prev !== tail) throw new RdbFormatError('ziplist tail mismatch');
  if (headerCount !== 0xffff && headerCount !== out.length)
    throw new RdbFormatError('ziplist count mismatch');
  return out;
}

/** Data bytes of an integer encoding, -1 for an invalid one. */
function intWidth(enc: number): number {
  switch (enc) {
    case 0xfe:
      return 1;
    case 0xc0:
      return 2;
    case 0xf0:
      return 3;
    case 0xd0:
      return 4;
    case 0xe0:
      return 8;
    default:
      return enc >= 0xf1 && enc <= 0xfd ? 0 : -1;
  }
}

function intAt(zl: Buffer, enc: number, d: number): bigint {
  switch (enc) {
    case 0xfe:
      return BigInt(zl.readInt8(d));
    case 0xc0:
      return BigInt(zl.readInt16LE(d));
    case 0xf0:
      return BigInt(zl.readIntLE(d, 3));
    case 0xd0:
      return BigInt(zl.readInt32LE(d));
    case 0xe0:
      return zl.readBigInt64LE(d);
    default:
      return BigInt((enc & 0x0f) - 1);
  }
}

/** A zipmap's field/value pairs in order, validated as zipmapValidateIntegrity(deep). */
export function decodeZipmap(data: Uint8Array): Array<[Buffer, Buffer]> {
  const zm = asBuffer(data);
  const size = zm.length;
  if (size < 2) throw new RdbFormatError('zipmap too short');
  if (zm[size - 1] !== ZIP_END) throw new RdbFormatError('zipmap without terminator');
  const last = size - 1;
  const out: Array<[Buffer, Buffer]> = [];
  let p = 1;
  const readLen = (): number => {
    const s = zm[p] < ZIPMAP_BIGLEN ? 1 : 5;
    if (p + s > last) throw new RdbFormatError('zipmap entry out of range');
    const l = s === 1 ? zm[p] : zm.readUInt32LE(p + 1);
    p += s;
    return l;
  };
  while (zm[p] !== ZIP_END) {
    const flen = readLen();
    const f = p;
    p += flen;
    if (p > last) throw new RdbFormatError('zipmap entry out of range');
    const vlen = readLen();
    const free = zm[p++];
    const v = p;
    p += vlen + free;
    if (p > last) throw new RdbFormatError('zipmap entry out of range');
    out.push([zm.subarray(f, f + flen), zm.subarray(v, v + vlen)]);
  }
  if (out.length === 0) throw new RdbFormatError('empty zipmap');
  if (zm[0] !== ZIPMAP_BIGLEN && zm[0] !== out.length) throw new RdbFormatError('zipmap count mismatch');
  return out;
}
