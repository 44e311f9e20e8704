/**
 * The part of Lua's C API (and emscripten's runtime) that WasmLuaVm calls, as wasmoon's module
 * exports it: the types, and the names wasm-exports.ts binds to the raw wasm functions.
 */

// The exported C functions used here (wasm32: pointers are numbers, lua_Integer a bigint).
export interface LuaModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  addFunction(fn: (...args: number[]) => number | undefined, sig: string): number;
  _malloc(n: number): number;
  _free(p: number): void;
  _realloc(p: number, n: number): number;
  _lua_newstate(alloc: number, ud: number): number;
  _luaL_openlibs(L: number): void;
  _lua_close(L: number): void;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, i: number): void;
  _lua_pushvalue(L: number, i: number): void;
  _lua_rotate(L: number, i: number, n: number): void;
  _lua_checkstack(L: number, n: number): number;
  _lua_type(L: number, i: number): number;
  _lua_toboolean(L: number, i: number): number;
  _lua_tonumberx(L: number, i: number, isnum: number): number;
  _lua_isinteger(L: number, i: number): number;
  _lua_tointegerx(L: number, i: number, isnum: number): bigint;
  _lua_tolstring(L: number, i: number, len: number): number;
  _lua_rawlen(L: number, i: number): number;
  _lua_pushnil(L: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushlstring(L: number, p: number, n: number): number;
  _lua_pushcclosure(L: number, fn: number, n: number): void;
  _lua_createtable(L: number, a: number, r: number): void;
  _lua_pushlightuserdata(L: number, p: number): void;
  _lua_touserdata(L: number, i: number): number;
  _lua_rawget(L: number, i: number): number;
  _lua_rawgeti(L: number, i: number, n: bigint): number;
  _lua_rawset(L: number, i: number): void;
  _lua_rawseti(L: number, i: number, n: bigint): void;
  _lua_getfield(L: number, i: number, k: number): number;
  _lua_setfield(L: number, i: number, k: number): void;
  _lua_next(L: number, i: number): number;
  _lua_setmetatable(L: number, i: number): number;
  _lua_getglobal(L: number, k: number): number;
  _lua_setglobal(L: number, k: number): void;
  _luaL_ref(L: number, t: number): number;
  _luaL_unref(L: number, t: number, r: number): void;
  _luaL_loadbufferx(L: number, p: number, n: number, name: number, mode: number): number;
  _lua_pcallk(L: number, na: number, nr: number, eh: number, ctx: number, k: number): number;
  _lua_callk(L: number, na: number, nr: number, ctx: number, k: number): void;
  _lua_newthread(L: number): number;
  _lua_resume(L: number, from: number, na: number, nres: number): number;
  _lua_yieldk(L: number, nr: number, ctx: number, k: number): number;
  _lua_isyieldable(L: number): number;
  _lua_sethook(L: number, fn: number, mask: number, count: number): void;
  _lua_error(L: number): number;
  _luaL_where(L: number, lvl: number): void;
}

/** The C functions of LuaModule, bound to the raw wasm exports (see wasm-exports.ts). */
export const C_FUNCTIONS =
  `_malloc _free _realloc _lua_newstate _luaL_openlibs _lua_close _lua_gettop _lua_settop
  _lua_pushvalue _lua_rotate _lua_checkstack _lua_type _lua_toboolean _lua_tonumberx _lua_isinteger
  _lua_tointegerx _lua_tolstring _lua_rawlen _lua_pushnil _lua_pushboolean _lua_pushnumber _lua_pushinteger
  _lua_pushlstring _lua_pushcclosure _lua_createtable _lua_pushlightuserdata _lua_touserdata _lua_rawget
  _lua_rawgeti _lua_rawset _lua_rawseti _lua_getfield _lua_setfield _lua_next _lua_setmetatable
  _lua_getglobal _lua_setglobal _luaL_ref _luaL_unref _luaL_loadbufferx _lua_pcallk _lua_callk
  _lua_newthread _lua_resume _lua_yieldk _lua_isyieldable _lua_sethook _lua_error _luaL_where`.split(/\s+/);
