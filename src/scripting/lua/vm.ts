/**
 * The Lua VM as the scripting layer sees it: a small subset of the Lua C API (the calls the
 * sandbox, the conversions and the runner make), with byte strings as Buffers. Everything above
 * this file is written against `LuaVm`, so the engine underneath (wasmoon's Lua 5.4 compiled to
 * WebAssembly today, see docs/scripting.md) can be swapped for another that offers the same
 * calls: coroutines, a count hook that may yield, and an allocator that can refuse.
 *
 * Conventions follow the C API: stack indexes (negative = from the top), functions that push or
 * pop say so. `LuaThread` is an opaque handle to a state or a coroutine of it.
 */

export type LuaThread = number & { readonly __luaThread: unique symbol };

export const T_NONE = -1;
export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_LIGHTUSERDATA = 2;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;

/** lua_resume / lua_pcall status codes. */
export const LUA_OK = 0;
export const LUA_YIELD = 1;
export const LUA_ERRRUN = 2;
export const LUA_ERRSYNTAX = 3;
export const LUA_ERRMEM = 4;

/** A JS function callable from Lua: reads its arguments from the stack, returns how many it pushed. */
export type HostFunction = (L: LuaThread) => number;

/**
 * Called every `count` VM instructions on a thread that has the hook set, with that thread
 * (coroutines created by the script inherit the hook: the callback tells them apart).
 */
export type CountHook = (L: LuaThread) => void;

export interface LuaVm {
  /** A new state with the standard libraries open; null when memory is refused. */
  newState(): LuaThread | null;
  closeState(L: LuaThread): void;
  /** Bytes the state's allocations hold right now (Redis's `lua_gc(LUA_GCCOUNT)` figure). */
  memoryUsed(L: LuaThread): number;
  /** Bytes all states of this VM may hold together; allocations past it fail (0 = no limit). */
  setMemoryLimit(bytes: number): void;

  // Stack
  gettop(L: LuaThread): number;
  settop(L: LuaThread, idx: number): void;
  pushvalue(L: LuaThread, idx: number): void;
  /** Move the top element to `idx`, shifting up the ones above it (lua_insert). */
  insert(L: LuaThread, idx: number): void;
  checkstack(L: LuaThread, n: number): boolean;
  type(L: LuaThread, idx: number): number;

  // Reading values
  toboolean(L: LuaThread, idx: number): boolean;
  /** The number at idx (a string convertible to one counts); null when it is not a number. */
  tonumber(L: LuaThread, idx: number): number | null;
  isinteger(L: LuaThread, idx: number): boolean;
  /** An integer value as a bigint (exact for all 64 bits). */
  tointeger(L: LuaThread, idx: number): bigint;
  /** The bytes of a string (or number, converted in place as lua_tolstring does); null otherwise. */
  tobytes(L: LuaThread, idx: number): Buffer | null;
  /** tobytes, possibly the same Buffer as an earlier read of the same string: never modify it. */
  tobytesShared(L: LuaThread, idx: number): Buffer | null;
  rawlen(L: LuaThread, idx: number): number;

  // Pushing values
  pushnil(L: LuaThread): void;
  pushboolean(L: LuaThread, b: boolean): void;
  pushnumber(L: LuaThread, n: number): void;
  pushinteger(L: LuaThread, n: number | bigint): void;
  pushbytes(L: LuaThread, b: Uint8Array): void;
  /** A JS string as UTF-8. */
  pushstring(L: LuaThread, s: string): void;
  pushfunction(L: LuaThread, fn: HostFunction): void;
  /** A NULL light userdata (cjson.null). */
  pushnull(L: LuaThread): void;
  /** The value at idx is a light userdata holding NULL. */
  isnull(L: LuaThread, idx: number): boolean;

  // Tables
  createtable(L: LuaThread, narr: number, nrec: number): void;
  /** Push t[k] for the table at idx, k the top (popped); no metamethods. Returns the type. */
  rawget(L: LuaThread, idx: number): number;
  rawgeti(L: LuaThread, idx: number, i: number): number;
  /** t[k] = v with k, v the two top elements (popped); no metamethods. */
  rawset(L: LuaThread, idx: number): void;
  rawseti(L: LuaThread, idx: number, i: number): void;
  /** Push t.name (may run metamethods). */
  getfield(L: LuaThread, idx: number, name: string): number;
  /** t.name = top (popped). */
  setfield(L: LuaThread, idx: number, name: string): void;
  /** Table traversal: pops a key, pushes the next key and value; false at the end. */
  next(L: LuaThread, idx: number): boolean;
  setmetatable(L: LuaThread, idx: number): void;
  getglobal(L: LuaThread, name: string): number;
  setglobal(L: LuaThread, name: string): void;
  /** Anchor the top value (popped) in the registry; returns its reference. */
  ref(L: LuaThread): number;
  unref(L: LuaThread, ref: number): void;
  /** Push the value anchored under `ref`. */
  getref(L: LuaThread, ref: number): number;

  // Running code
  /** Compile a chunk; pushes the function, or the error message (returns the status). */
  load(L: LuaThread, code: Uint8Array, chunkName: string): number;
  /** lua_call: errors propagate to the caller. */
  call(L: LuaThread, nargs: number, nresults: number): void;
  /** lua_pcall with no message handler. */
  pcall(L: LuaThread, nargs: number, nresults: number): number;
  /** A new coroutine of state L, pushed on L's stack. */
  newthread(L: LuaThread): LuaThread;
  /** Resume co with nargs arguments on its stack; returns the status and leaves results there. */
  resume(co: LuaThread, from: LuaThread, nargs: number): number;
  /** Yield from a count hook (only when yieldable). */
  yieldFromHook(L: LuaThread): void;
  isyieldable(L: LuaThread): boolean;
  /** Run `hook` every `count` instructions on thread L; null removes it from L. One hook per VM. */
  setCountHook(L: LuaThread, count: number, hook: CountHook | null): void;
  /** Raise `message` prefixed with the calling script's position, as luaL_error does. */
  errorAt(L: LuaThread, message: string): never;
  /** Raise the value on top of the stack as a Lua error. Never returns. */
  error(L: LuaThread): never;
}
