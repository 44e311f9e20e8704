/**
 * `LuaVm` on wasmoon: Lua 5.4 compiled to WebAssembly, driven through its exported C API. One
 * WebAssembly instance (its own linear memory) per `WasmLuaVm`; each state created on it
 * allocates through an allocator that accounts bytes per state and refuses allocations past
 * the limit (wasm-alloc.ts), so a script cannot grow the instance's memory (which never
 * shrinks) without bound.
 *
 * Strings cross as bytes: pushed from a reusable scratch area in linear memory, read by copying
 * the bytes `lua_tolstring` points at. A Lua error raised from JS (`lua_error`) unwinds as the
 * JS exception emscripten uses for longjmp (a number); host functions let those pass and turn
 * any other exception (a bug) into a Lua error so the VM's C stack stays consistent.
 */

import { C_FUNCTIONS, type LuaModule } from './c-api.js';
import { big, SHARED_MAX, SharedBytes } from './shared-bytes.js';
import { type CountHook, type HostFunction, LUA_ERRRUN, type LuaThread, type LuaVm } from './vm.js';
import { LuaAllocator } from './wasm-alloc.js';
import { initLuaModule } from './wasm-exports.js';

/** LUA_REGISTRYINDEX for Lua 5.4 with a 32-bit int: -LUAI_MAXSTACK - 1000. */
const REGISTRY = -1_001_000;
const LUA_MASKCOUNT = 8;
const LUA_MULTRET = -1;
/** Strings read out of the VM up to this length share slabs of SLAB_SIZE bytes. */
const SLAB_STRING_MAX = 1024;
const SLAB_SIZE = 8192;

/** Emscripten's longjmp travels as a thrown number; anything else is a JS exception. */
function isLongjmp(e: unknown): boolean {
  return typeof e === 'number';
}

export class WasmLuaVm implements LuaVm {
  private readonly m: LuaModule;
  /** Every state's allocations, and the bytes each holds (see wasm-alloc.ts). */
  private readonly alloc: LuaAllocator;
  private readonly stateIds = new Map<number, number>();
  private readonly hookFn: number;
  /**
   * The count hook. One per VM: coroutines a script creates inherit the hook from the thread
   * that made them, and must reach the same callback (which tells the threads apart).
   */
  private hook: CountHook | null = null;
  private readonly hostFns = new Map<HostFunction, number>();
  private readonly cstrings = new Map<string, number>();
  private scratch = 0;
  private scratchSize = 0;
  /** Where short strings read out of the VM are cut from (see copyOut). */
  private slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
  private slabOff = 0;
  /** Short strings read with tobytesShared lately (see shared-bytes.ts). */
  private readonly shared = new SharedBytes();
  /** Out-parameters (size_t / int) for the C calls that take one. */
  private readonly outp: number;

  private constructor(m: LuaModule) {
    this.m = m;
    this.outp = m._malloc(16);
    this.alloc = new LuaAllocator(m);
    this.hookFn = m.addFunction((L: number): undefined => {
      this.hook?.(L as LuaThread);
      return undefined;
    }, 'vii');
  }

  /** Instantiate the WebAssembly module (about 50 ms, 16 MB of linear memory to begin with). */
  static async create(): Promise<WasmLuaVm> {
    const { module } = await initLuaModule(C_FUNCTIONS);
    return new WasmLuaVm(module as unknown as LuaModule);
  }

  newState(): LuaThread | null {
    const id = this.alloc.open();
    if (id === null) return null;
    const L = this.m._lua_newstate(this.alloc.ptr, id);
    if (L === 0) {
      this.alloc.close(id);
      return null;
    }
    this.stateIds.set(L, id);
    this.m._luaL_openlibs(L);
    return L as LuaThread;
  }

  closeState(L: LuaThread): void {
    const id = this.stateIds.get(L);
    this.m._lua_close(L);
    if (id !== undefined) {
      this.alloc.close(id);
      this.stateIds.delete(L);
    }
  }

  memoryUsed(L: LuaThread): number {
    const id = this.stateIds.get(L);
    return id === undefined ? 0 : this.alloc.used(id);
  }

  setMemoryLimit(bytes: number): void {
    this.alloc.setLimit(bytes);
  }

  // ---- strings in linear memory ------------------------------------------------------------

  private scratchFor(n: number): number {
    if (n > this.scratchSize) {
      if (this.scratch !== 0) this.m._free(this.scratch);
      this.scratchSize = Math.max(n, 256, this.scratchSize * 2);
      this.scratch = this.m._malloc(this.scratchSize);
      if (this.scratch === 0) throw new Error('out of linear memory for a string');
    }
    return this.scratch;
  }

  /** A NUL-terminated copy of a field or global name, kept for the VM's life (names are few). */
  private cstr(s: string): number {
    let p = this.cstrings.get(s);
    if (p === undefined) {
      const b = Buffer.from(`${s}\0`, 'utf8');
      p = this.m._malloc(b.length);
      this.m.HEAPU8.set(b, p);
      this.cstrings.set(s, p);
    }
    return p;
  }

  // ---- stack -------------------------------------------------------------------------------

  gettop(L: LuaThread): number {
    return this.m._lua_gettop(L);
  }
  settop(L: LuaThread, idx: number): void {
    this.m._lua_settop(L, idx);
  }
  pushvalue(L: LuaThread, idx: number): void {
    this.m._lua_pushvalue(L, idx);
  }
  insert(L: LuaThread, idx: number): void {
    this.m._lua_rotate(L, idx, 1);
  }
  checkstack(L: LuaThread, n: number): boolean {
    return this.m._lua_checkstack(L, n) !== 0;
  }
  type(L: LuaThread, idx: number): number {
    return this.m._lua_type(L, idx);
  }

  toboolean(L: LuaThread, idx: number): boolean {
    return this.m._lua_toboolean(L, idx) !== 0;
  }
  tonumber(L: LuaThread, idx: number): number | null {
    const m = this.m;
    const n = m._lua_tonumberx(L, idx, this.outp);
    return this.m.HEAPU32[this.outp >> 2] === 0 ? null : n;
  }
  isinteger(L: LuaThread, idx: number): boolean {
    return this.m._lua_isinteger(L, idx) !== 0;
  }
  tointeger(L: LuaThread, idx: number): bigint {
    return this.m._lua_tointegerx(L, idx, 0);
  }
  tobytes(L: LuaThread, idx: number): Buffer | null {
    const m = this.m;
    const p = m._lua_tolstring(L, idx, this.outp);
    if (p === 0) return null;
    return this.copyOut(p, this.m.HEAPU32[this.outp >> 2]);
  }

  /**
   * tobytes for strings read again and again (redis.call's command names, KEYS[1] in each call
   * of a run): the Buffer of an earlier read of the same string when there is one (see
   * shared-bytes.ts). Callers must not modify it.
   */
  tobytesShared(L: LuaThread, idx: number): Buffer | null {
    const m = this.m;
    const p = m._lua_tolstring(L, idx, this.outp);
    if (p === 0) return null;
    const n = this.m.HEAPU32[this.outp >> 2];
    if (n > SHARED_MAX) return this.copyOut(p, n);
    const have = this.shared.find(this.m.HEAPU8, p, n);
    if (have !== null) return have;
    const out = this.copyOut(p, n);
    this.shared.remember(p, out);
    return out;
  }

  /**
   * A copy of n bytes of linear memory at p. Short strings (most command arguments) are cut
   * from a slab this VM owns, as Node's Buffer pool does, and copied byte by byte: that is
   * several times cheaper than Buffer.from of a view. Each copy is its own bytes: nothing here
   * is overwritten later.
   */
  private copyOut(p: number, n: number): Buffer {
    const heap = this.m.HEAPU8;
    if (n > SLAB_STRING_MAX) {
      const out = Buffer.allocUnsafe(n);
      out.set(heap.subarray(p, p + n));
      return out;
    }
    if (this.slabOff + n > SLAB_SIZE) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.slabOff = 0;
    }
    const off = this.slabOff;
    // 8-byte alignment, as Node's pool keeps its slices.
    this.slabOff = (off + n + 7) & ~7;
    const out = this.slab.subarray(off, off + n);
    for (let i = 0; i < n; i++) out[i] = heap[p + i];
    return out;
  }
  rawlen(L: LuaThread, idx: number): number {
    return this.m._lua_rawlen(L, idx);
  }

  pushnil(L: LuaThread): void {
    this.m._lua_pushnil(L);
  }
  pushboolean(L: LuaThread, b: boolean): void {
    this.m._lua_pushboolean(L, b ? 1 : 0);
  }
  pushnumber(L: LuaThread, n: number): void {
    this.m._lua_pushnumber(L, n);
  }
  pushinteger(L: LuaThread, n: number | bigint): void {
    this.m._lua_pushinteger(L, typeof n === 'bigint' ? n : Number.isInteger(n) ? big(n) : BigInt(n));
  }
  pushbytes(L: LuaThread, b: Uint8Array): void {
    const n = b.length;
    const p = this.scratchFor(n);
    const heap = this.m.HEAPU8;
    if (n <= 64) for (let i = 0; i < n; i++) heap[p + i] = b[i];
    else heap.set(b, p);
    this.m._lua_pushlstring(L, p, n);
  }
  pushstring(L: LuaThread, s: string): void {
    const n = s.length;
    if (n <= 64) {
      // ASCII, the usual case (status replies, field names), goes in without a Buffer.
      const p = this.scratchFor(n);
      const heap = this.m.HEAPU8;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        heap[p + i] = c;
      }
      if (i === n) {
        this.m._lua_pushlstring(L, p, n);
        return;
      }
    }
    this.pushbytes(L, Buffer.from(s, 'utf8'));
  }
  pushfunction(L: LuaThread, fn: HostFunction): void {
    let ptr = this.hostFns.get(fn);
    if (ptr === undefined) {
      ptr = this.m.addFunction((l: number): number => {
        try {
          return fn(l as LuaThread);
        } catch (e) {
          if (isLongjmp(e)) throw e;
          this.pushstring(l as LuaThread, `internal error: ${(e as Error).message}`);
          return this.error(l as LuaThread);
        }
      }, 'ii');
      this.hostFns.set(fn, ptr);
    }
    this.m._lua_pushcclosure(L, ptr, 0);
  }

  pushnull(L: LuaThread): void {
    this.m._lua_pushlightuserdata(L, 0);
  }
  isnull(L: LuaThread, idx: number): boolean {
    return this.m._lua_type(L, idx) === 2 && this.m._lua_touserdata(L, idx) === 0;
  }

  createtable(L: LuaThread, narr: number, nrec: number): void {
    this.m._lua_createtable(L, narr, nrec);
  }
  rawget(L: LuaThread, idx: number): number {
    return this.m._lua_rawget(L, idx);
  }
  rawgeti(L: LuaThread, idx: number, i: number): number {
    return this.m._lua_rawgeti(L, idx, big(i));
  }
  rawset(L: LuaThread, idx: number): void {
    this.m._lua_rawset(L, idx);
  }
  rawseti(L: LuaThread, idx: number, i: number): void {
    this.m._lua_rawseti(L, idx, big(i));
  }
  getfield(L: LuaThread, idx: number, name: string): number {
    return this.m._lua_getfield(L, idx, this.cstr(name));
  }
  setfield(L: LuaThread, idx: number, name: string): void {
    this.m._lua_setfield(L, idx, this.cstr(name));
  }
  next(L: LuaThread, idx: number): boolean {
    return this.m._lua_next(L, idx) !== 0;
  }
  setmetatable(L: LuaThread, idx: number): void {
    this.m._lua_setmetatable(L, idx);
  }
  getglobal(L: LuaThread, name: string): number {
    return this.m._lua_getglobal(L, this.cstr(name));
  }
  setglobal(L: LuaThread, name: string): void {
    this.m._lua_setglobal(L, this.cstr(name));
  }
  ref(L: LuaThread): number {
    return this.m._luaL_ref(L, REGISTRY);
  }
  unref(L: LuaThread, ref: number): void {
    this.m._luaL_unref(L, REGISTRY, ref);
  }
  getref(L: LuaThread, ref: number): number {
    return this.m._lua_rawgeti(L, REGISTRY, big(ref));
  }

  load(L: LuaThread, code: Uint8Array, chunkName: string): number {
    const p = this.scratchFor(code.length);
    this.m.HEAPU8.set(code, p);
    // Text chunks only: precompiled bytecode can break the VM's invariants.
    return this.m._luaL_loadbufferx(L, p, code.length, this.cstr(chunkName), this.cstr('t'));
  }
  call(L: LuaThread, nargs: number, nresults: number): void {
    this.m._lua_callk(L, nargs, nresults, 0, 0);
  }
  pcall(L: LuaThread, nargs: number, nresults: number): number {
    return this.m._lua_pcallk(L, nargs, nresults === LUA_MULTRET ? LUA_MULTRET : nresults, 0, 0, 0);
  }
  newthread(L: LuaThread): LuaThread {
    return this.m._lua_newthread(L) as LuaThread;
  }
  resume(co: LuaThread, from: LuaThread, nargs: number): number {
    return this.m._lua_resume(co, from, nargs, this.outp);
  }
  yieldFromHook(L: LuaThread): void {
    this.m._lua_yieldk(L, 0, 0, 0);
  }
  isyieldable(L: LuaThread): boolean {
    return this.m._lua_isyieldable(L) !== 0;
  }
  setCountHook(L: LuaThread, count: number, hook: CountHook | null): void {
    if (hook === null) this.m._lua_sethook(L, 0, 0, 0);
    else {
      this.hook = hook;
      this.m._lua_sethook(L, this.hookFn, LUA_MASKCOUNT, count);
    }
  }
  errorAt(L: LuaThread, message: string): never {
    this.m._lua_settop(L, 0);
    this.m._luaL_where(L, 1);
    const where = this.tobytes(L, -1)?.toString('utf8') ?? '';
    this.m._lua_settop(L, 0);
    this.pushstring(L, `${where}${message}`);
    return this.error(L);
  }
  error(L: LuaThread): never {
    this.m._lua_error(L);
    // lua_error never returns (it unwinds with a longjmp); this keeps the type honest.
    throw new Error('lua_error returned');
  }
}

export { LUA_ERRRUN };
