/**
 * FUNCTION DUMP / RESTORE payloads in Redis 7.0's format, so a dump moves between Cairn and
 * Redis: for each library the RDB opcode FUNCTION2 (245) and its code as an RDB string, then
 * the RDB version (2 bytes, little endian: 10) and a CRC-64 (Jones polynomial, reflected, as
 * Redis's crc64.c) of everything before it, little endian. Strings are written plain; reading
 * also takes the integer and LZF-compressed encodings Redis may write.
 */

const RDB_OPCODE_FUNCTION2 = 245;
/** Redis 7.0 writes RDB version 10 and reads up to it. */
export const RDB_VERSION = 10;

// CRC-64/Jones, reflected polynomial 0x95ac9329ac4bc9b5, as (hi, lo) 32-bit halves.
const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
(() => {
  const polyHi = 0x95ac9329;
  const polyLo = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const lsb = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (lsb) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    TABLE_HI[n] = hi;
    TABLE_LO[n] = lo;
  }
})();

/** Redis's crc64(0, data): 8 bytes, little endian. */
export function crc64(data: Uint8Array): Buffer {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
    hi = hi >>> 8;
    hi = (hi ^ TABLE_HI[idx]) >>> 0;
    lo = (lo ^ TABLE_LO[idx]) >>> 0;
  }
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32LE(lo, 0);
  out.writeUInt32LE(hi, 4);
  return out;
}

function rdbLength(n: number): Buffer {
  if (n < 1 << 6) return Buffer.from([n]);
  if (n < 1 << 14) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.allocUnsafe(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The payload for these libraries' codes. */
export function encodeDump(codes: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const code of codes) parts.push(Buffer.from([RDB_OPCODE_FUNCTION2]), rdbLength(code.length), code);
  const ver = Buffer.allocUnsafe(2);
  ver.writeUInt16LE(RDB_VERSION, 0);
  parts.push(ver);
  const body = Buffer.concat(parts);
  return Buffer.concat([body, crc64(body)]);
}

/** The library codes in a payload, or null when its version or checksum is wrong or it is malformed. */
export function decodeDump(payload: Buffer): Buffer[] | null {
  if (payload.length < 10) return null;
  const footer = payload.length - 10;
  const version = payload.readUInt16LE(footer);
  if (version > RDB_VERSION) return null;
  if (!crc64(payload.subarray(0, footer + 2)).equals(payload.subarray(footer + 2))) return null;
  const codes: Buffer[] = [];
  let p = 0;
  try {
    while (p < footer) {
      if (payload[p++] !== RDB_OPCODE_FUNCTION2) return null;
      const [s, next] = readString(payload, p);
      codes.push(s);
      p = next;
    }
  } catch {
    return null;
  }
  return p === footer ? codes : null;
}

function readLength(b: Buffer, p: number): [number, number, boolean] {
  const first = b[p];
  const kind = first >> 6;
  if (kind === 0) return [first & 0x3f, p + 1, false];
  if (kind === 1) return [((first & 0x3f) << 8) | b[p + 1], p + 2, false];
  if (kind === 3) return [first & 0x3f, p + 1, true];
  if (first === 0x80) return [b.readUInt32BE(p + 1), p + 5, false];
  if (first === 0x81) return [Number(b.readBigUInt64BE(p + 1)), p + 9, false];
  throw new Error('bad length');
}

function readString(b: Buffer, p: number): [Buffer, number] {
  const [n, q, encoded] = readLength(b, p);
  if (!encoded) {
    if (q + n > b.length) throw new Error('short');
    return [Buffer.from(b.subarray(q, q + n)), q + n];
  }
  if (n === 0) return [Buffer.from(String(b.readInt8(q))), q + 1];
  if (n === 1) return [Buffer.from(String(b.readInt16LE(q))), q + 2];
  if (n === 2) return [Buffer.from(String(b.readInt32LE(q))), q + 4];
  if (n === 3) {
    const [clen, q1] = readLength(b, q);
    const [len, q2] = readLength(b, q1);
    return [lzfDecompress(b.subarray(q2, q2 + clen), len), q2 + clen];
  }
  throw new Error('bad string encoding');
}

/** LZF (liblzf's lzf_decompress), for strings Redis stored compressed. */
function lzfDecompress(src: Buffer, outLen: number): Buffer {
  const out = Buffer.alloc(outLen);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    let ctrl = src[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > src.length) throw new Error('lzf');
      src.copy(out, op, ip, ip + ctrl);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) len += src[ip++];
      ref -= src[ip++];
      len += 2;
      if (ref < 0 || op + len > outLen) throw new Error('lzf');
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  if (op !== outLen) throw new Error('lzf');
  return out;
}
