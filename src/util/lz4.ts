/**
 * lz4-napi, loaded on first use: its native library and the symbols it binds cost a few MB of
 * RSS, which a server that has not written or read a snapshot yet does not need.
 */
import { createRequire } from 'node:module';

interface Lz4 {
  compress(data: Buffer): Promise<Buffer>;
  uncompressSync(data: Uint8Array): Buffer;
}

let lz4: Lz4 | null = null;

function codec(): Lz4 {
  if (lz4 === null) lz4 = createRequire(import.meta.url)('lz4-napi') as Lz4;
  return lz4;
}

/** LZ4 block compression on the libuv thread pool (lz4-napi's `compress`). */
export function compress(data: Buffer): Promise<Buffer> {
  return codec().compress(data);
}

/** LZ4 block decompression (lz4-napi's `uncompressSync`). */
export function uncompressSync(data: Uint8Array): Buffer {
  return codec().uncompressSync(data);
}
