/**
 * Value compression: LZ4 (lz4-napi's block format, original size prepended) for values of at
 * least the configured threshold, kept only when it saves a useful share. Transparent to
 * commands: the keyspace decompresses on every read, so STRLEN, GETRANGE and APPEND see the
 * original bytes.
 */
import { createRequire } from 'node:module';

/** Smallest saving (share of the original) for a compressed value to be kept. */
const MIN_SAVING_RATIO = 1 / 16;

/**
 * lz4-napi, loaded on first use: its native library adds ~11 MB of RSS, which a keyspace with
 * no value over the threshold never needs.
 */
type Lz4 = { compressSync(data: Buffer): Buffer; uncompressSync(data: Uint8Array): Buffer };
let lz4: Lz4 | null = null;
function codec(): Lz4 {
  if (lz4 === null) lz4 = createRequire(import.meta.url)('lz4-napi') as Lz4;
  return lz4;
}

/** The compressed form of `value`, or null when below `thresholdBytes` (0 = off) or not worth it. */
export function compressIfSmaller(value: Buffer, thresholdBytes: number): Buffer | null {
  if (thresholdBytes <= 0 || value.length < thresholdBytes) return null;
  const z = codec().compressSync(value);
  return z.length <= value.length - value.length * MIN_SAVING_RATIO ? z : null;
}

export function decompress(stored: Uint8Array): Buffer {
  return codec().uncompressSync(stored);
}
