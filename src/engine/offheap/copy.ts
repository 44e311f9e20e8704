/**
 * Byte copies between the arena and value Buffers. Short values (most keys and values) are
 * copied by a JS loop, which is cheaper than the native Buffer.copy call for a few bytes.
 */

/** Values up to this long are copied by a JS loop; longer ones by Buffer.copy (native). */
const NATIVE_COPY_MIN_BYTES = 64;

/** A new Buffer holding `len` bytes of `src` from `off`. */
export function copyOut(src: Buffer, off: number, len: number): Buffer {
  const out = Buffer.allocUnsafe(len);
  if (len < NATIVE_COPY_MIN_BYTES) for (let i = 0; i < len; i++) out[i] = src[off + i];
  else src.copy(out, 0, off, off + len);
  return out;
}

/** `src` written into `dst` at `off`. */
export function copyIn(dst: Buffer, off: number, src: Buffer): void {
  const len = src.length;
  if (len < NATIVE_COPY_MIN_BYTES) for (let i = 0; i < len; i++) dst[off + i] = src[i];
  else src.copy(dst, off);
}
