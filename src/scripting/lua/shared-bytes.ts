/**
 * Small helpers of the wasm VM's hot paths: a memory of the short strings read out of the VM
 * recently (WasmLuaVm.tobytesShared), and lua_Integer arguments (i64, BigInts) for small numbers.
 *
 * Lua keeps a string's bytes at one address while the string lives (short strings are interned,
 * so `'set'` is one string however often a script writes it). A read of the same address with
 * the same bytes can give back the Buffer of the earlier read instead of a new one; the bytes are
 * compared every time, since a freed address may hold another string later.
 */

/** Strings up to this length are remembered. */
export const SHARED_MAX = 64;
/** Direct-mapped by address: a power of two. */
const SLOTS = 128;

export class SharedBytes {
  private readonly ptr = new Int32Array(SLOTS);
  private readonly buf: Array<Buffer | null> = new Array<Buffer | null>(SLOTS).fill(null);

  /** The Buffer remembered for the n bytes at address p, if those bytes are still its bytes. */
  find(heap: Uint8Array, p: number, n: number): Buffer | null {
    const slot = (p >>> 3) & (SLOTS - 1);
    const have = this.buf[slot];
    if (have === null || this.ptr[slot] !== p || have.length !== n) return null;
    for (let i = 0; i < n; i++) if (have[i] !== heap[p + i]) return null;
    return have;
  }

  remember(p: number, b: Buffer): void {
    const slot = (p >>> 3) & (SLOTS - 1);
    this.ptr[slot] = p;
    this.buf[slot] = b;
  }
}

const SMALL_BIGINTS = Array.from({ length: 1024 }, (_, i) => BigInt(i));

/** An integer as a lua_Integer argument (a BigInt), the small ones made once. */
export function big(i: number): bigint {
  return i >= 0 && i < 1024 ? SMALL_BIGINTS[i] : BigInt(i);
}
