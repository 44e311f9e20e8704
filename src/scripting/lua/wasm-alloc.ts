/**
 * The Lua states' allocator as WebAssembly, so that an allocation stays inside wasm.
 *
 * Every Lua allocation calls the state's `lua_Alloc` (ud, ptr, osize, nsize). A JS function
 * there costs a wasm -> JS -> wasm round trip per allocation and per free (a dozen per
 * `redis.call` that returns a table); this module does the same work in wasm, calling the Lua
 * module's own `realloc` and `free` (imported from its instance), and keeps its accounts in a
 * memory of its own that JS reads:
 *
 *   u32 [0]      bytes all states hold
 *   u32 [1]      the limit (0: none): growing past it fails, as the JS allocator refused
 *   u32 [2 + ud] bytes the state with allocator user data `ud` holds
 *
 * The function is, in the text format:
 *
 *   (func $alloc (param $ud i32) (param $ptr i32) (param $osize i32) (param $nsize i32)
 *                (result i32) (local $have i32) (local $grow i32) (local $p i32)
 *     (local.set $have (select (local.get $osize) (i32.const 0) (local.get $ptr)))
 *     (if (i32.eqz (local.get $nsize)) (then
 *       (if (local.get $ptr) (then
 *         (call $free (local.get $ptr))
 *         (i32.store offset=8 (i32.shl (local.get $ud) (i32.const 2))
 *           (i32.sub (i32.load offset=8 (i32.shl (local.get $ud) (i32.const 2))) (local.get $have)))
 *         (i32.store (i32.const 0) (i32.sub (i32.load (i32.const 0)) (local.get $have)))))
 *       (return (i32.const 0))))
 *     (local.set $grow (i32.sub (local.get $nsize) (local.get $have)))
 *     (if (i32.and (i32.and (i32.gt_s (local.get $grow) (i32.const 0))
 *                           (i32.ne (i32.load offset=4 (i32.const 0)) (i32.const 0)))
 *                  (i32.gt_u (i32.add (i32.load (i32.const 0)) (local.get $grow))
 *                            (i32.load offset=4 (i32.const 0))))
 *       (then (return (i32.const 0))))
 *     (if (local.tee $p (call $realloc (local.get $ptr) (local.get $nsize))) (then
 *       (i32.store offset=8 (i32.shl (local.get $ud) (i32.const 2))
 *         (i32.add (i32.load offset=8 (i32.shl (local.get $ud) (i32.const 2))) (local.get $grow)))
 *       (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get $grow)))))
 *     (local.get $p))
 */

// The WebAssembly global, typed here (the project's lib settings carry no DOM/wasm types).
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => { readonly buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** User data ids the accounts have room for (one 64 KB page, two header words). */
export const MAX_STATES = 16_382;

const ADDR_UD = [0x20, 0x00, 0x41, 0x02, 0x74]; // (i32.shl (local.get $ud) (i32.const 2))
const LOAD_TOTAL = [0x41, 0x00, 0x28, 0x02, 0x00];
const LOAD_LIMIT = [0x41, 0x00, 0x28, 0x02, 0x04];

// biome-ignore format: bytecode, one instruction group per line
const BODY = [
  0x01, 0x03, 0x7f, // locals: 3 x i32 ($have $grow $p)
  0x20, 0x02, 0x41, 0x00, 0x20, 0x01, 0x1b, 0x21, 0x04, // $have = ptr ? osize : 0
  0x20, 0x03, 0x45, 0x04, 0x40, // if nsize == 0
  0x20, 0x01, 0x04, 0x40, // if ptr
  0x20, 0x01, 0x10, 0x01, // free(ptr)
  ...ADDR_UD, ...ADDR_UD, 0x28, 0x02, 0x08, 0x20, 0x04, 0x6b, 0x36, 0x02, 0x08, // used[ud] -= have
  0x41, 0x00, ...LOAD_TOTAL, 0x20, 0x04, 0x6b, 0x36, 0x02, 0x00, // total -= have
  0x0b, // end if ptr
  0x41, 0x00, 0x0f, // return 0
  0x0b, // end if nsize == 0
  0x20, 0x03, 0x20, 0x04, 0x6b, 0x21, 0x05, // $grow = nsize - have
  0x20, 0x05, 0x41, 0x00, 0x4a, // grow > 0
  ...LOAD_LIMIT, 0x41, 0x00, 0x47, 0x71, // && limit != 0
  ...LOAD_TOTAL, 0x20, 0x05, 0x6a, ...LOAD_LIMIT, 0x4b, 0x71, // && total + grow > limit (unsigned)
  0x04, 0x40, 0x41, 0x00, 0x0f, 0x0b, // then return 0
  0x20, 0x01, 0x20, 0x03, 0x10, 0x00, 0x22, 0x06, // $p = realloc(ptr, nsize)
  0x04, 0x40, // if p
  ...ADDR_UD, ...ADDR_UD, 0x28, 0x02, 0x08, 0x20, 0x05, 0x6a, 0x36, 0x02, 0x08, // used[ud] += grow
  0x41, 0x00, ...LOAD_TOTAL, 0x20, 0x05, 0x6a, 0x36, 0x02, 0x00, // total += grow
  0x0b, // end if p
  0x20, 0x06, // p
  0x0b, // end
];

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const name = (s: string): number[] => [s.length, ...Buffer.from(s, 'latin1')];

// biome-ignore format: bytecode, one section per line
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  ...section(1, [
    0x03,
    0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // 0: realloc (i32 i32) -> i32
    0x60, 0x01, 0x7f, 0x00, // 1: free (i32) -> ()
    0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, // 2: alloc (i32 i32 i32 i32) -> i32
  ]),
  ...section(2, [0x02, ...name('e'), ...name('realloc'), 0x00, 0x00, ...name('e'), ...name('free'), 0x00, 0x01]),
  ...section(3, [0x01, 0x02]), // one function, type 2
  ...section(5, [0x01, 0x00, 0x01]), // one memory, one page, no maximum
  ...section(7, [0x02, ...name('alloc'), 0x00, 0x02, ...name('mem'), 0x02, 0x00]),
  ...section(10, [0x01, ...uleb(BODY.length), ...BODY]),
]);

/** What the allocator needs of the Lua module (emscripten's). */
export interface AllocHost {
  addFunction(fn: (...args: number[]) => number | undefined, sig: string): number;
  _realloc(p: number, n: number): number;
  _free(p: number): void;
}

/**
 * The allocator every Lua state of one module allocates through, and the bytes each holds.
 * The WebAssembly allocator above when the module's `realloc` and `free` can be imported into
 * it; otherwise the same accounting in a JS function (slower: a JS call per allocation).
 */
export class LuaAllocator {
  /** The lua_Alloc function's index in the module's function table. */
  readonly ptr: number;
  /** True when allocations stay inside wasm. */
  readonly native: boolean;
  private readonly acct: Uint32Array;
  private readonly freeIds: number[] = [];
  private nextId = 0;

  constructor(m: AllocHost) {
    const w = wasmAllocator(m._realloc, m._free);
    if (w !== null) {
      this.acct = w.accounts;
      this.ptr = m.addFunction(w.fn as (...args: number[]) => number, 'iiiii');
      this.native = true;
      return;
    }
    const acct = new Uint32Array(2 + MAX_STATES);
    this.acct = acct;
    this.native = false;
    this.ptr = m.addFunction((ud: number, ptr: number, osize: number, nsize: number): number => {
      const have = ptr === 0 ? 0 : osize;
      if (nsize === 0) {
        if (ptr !== 0) {
          m._free(ptr);
          acct[0] -= have;
          acct[2 + ud] -= have;
        }
        return 0;
      }
      const grow = nsize - have;
      if (grow > 0 && acct[1] > 0 && acct[0] + grow > acct[1]) return 0;
      const p = m._realloc(ptr, nsize);
      if (p !== 0) {
        acct[0] += grow;
        acct[2 + ud] += grow;
      }
      return p;
    }, 'iiiii');
  }

  /** The user data for a new state (its accounts start at 0); null when there is no room. */
  open(): number | null {
    const id = this.freeIds.pop() ?? (this.nextId < MAX_STATES ? this.nextId++ : -1);
    if (id < 0) return null;
    this.acct[2 + id] = 0;
    return id;
  }

  /** A closed state's id is free again (anything it still held is taken off the total). */
  close(id: number): void {
    this.acct[0] -= this.acct[2 + id];
    this.acct[2 + id] = 0;
    this.freeIds.push(id);
  }

  /** Bytes the state with user data `id` holds. */
  used(id: number): number {
    return this.acct[2 + id];
  }

  /** Bytes all states may hold together (0: no limit). */
  setLimit(bytes: number): void {
    this.acct[1] = bytes <= 0 ? 0 : Math.min(bytes, 0xffff_ffff);
  }
}

/**
 * The WebAssembly allocator for a module whose `realloc` and `free` are given; null when
 * WebAssembly refuses it (they are not wasm functions of that signature, say).
 */
function wasmAllocator(realloc: unknown, free: unknown): { fn: unknown; accounts: Uint32Array } | null {
  try {
    const instance = new wasm.Instance(new wasm.Module(MODULE), { e: { realloc, free } });
    const mem = instance.exports.mem;
    if (!(mem instanceof wasm.Memory) || typeof instance.exports.alloc !== 'function') return null;
    return { fn: instance.exports.alloc, accounts: new Uint32Array(mem.buffer) };
  } catch {
    return null;
  }
}
