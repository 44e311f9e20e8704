/**
 * wasmoon's module, with its C API calls bound straight to the WebAssembly exports.
 *
 * wasmoon ships an emscripten build with assertions on: every exported C function (`_lua_type`,
 * `_lua_pushlstring`, ...) is a JS wrapper that checks the runtime is up, formats two assertion
 * messages and forwards through `apply(null, arguments)`. A `redis.call` makes a dozen such
 * calls, and the wrappers were the largest single cost in a profile of EVALSHA. The instance's
 * exports are the same functions without the wrapper, but emscripten keeps them private; they
 * are captured here from `WebAssembly.instantiate` while wasmoon initializes (instantiations are
 * serialized so that each capture is the module's own), checked to be that module's (same
 * linear memory), and used in place of the wrappers. Anything not captured keeps the wrapper,
 * which behaves the same, only slower.
 *
 * Only the functions the caller names are bound, in an object built in one go: an object given
 * more than a dozen properties one by one under computed names turns into a dictionary, which
 * V8 reads by hashing the name at every call (the module has some 150 functions).
 */
import { LuaWasm } from 'wasmoon';

/** The parts of the emscripten module Cairn reads, beside the `_name` C functions. */
export interface EmscriptenModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  addFunction(fn: (...args: number[]) => number | undefined, sig: string): number;
  [name: string]: unknown;
}

// The WebAssembly global, typed here (the project's lib settings carry no DOM/wasm types).
type Exports = Record<string, unknown>;
type Instantiate = (...args: unknown[]) => Promise<unknown>;
interface WasmGlobal {
  instantiate: Instantiate;
  Memory: abstract new (...args: never[]) => { readonly buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

/** One initialization at a time: the capture below must see only its own instantiation. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Initialize wasmoon's module; resolves to it, with the C functions `names` (`_lua_type`, ...)
 * bound to the raw exports where they could be captured (`direct` tells whether they were).
 */
export function initLuaModule(
  names: readonly string[],
): Promise<{ module: EmscriptenModule; direct: boolean }> {
  const once = () => instantiateOnce(names);
  const next = queue.then(once, once);
  queue = next.catch(() => undefined);
  return next;
}

async function instantiateOnce(
  names: readonly string[],
): Promise<{ module: EmscriptenModule; direct: boolean }> {
  const original = wasm.instantiate;
  let captured: Exports | null = null;
  const capture = (result: unknown): unknown => {
    const exports = (result as { instance?: { exports?: Exports } }).instance?.exports;
    if (exports !== undefined && typeof exports.lua_pushlstring === 'function') captured = exports;
    return result;
  };
  const patched: Instantiate = function (this: unknown, ...args: unknown[]) {
    return original.apply(this, args).then(capture);
  };
  wasm.instantiate = patched;
  let lua: LuaWasm;
  try {
    lua = await LuaWasm.initialize();
  } finally {
    if (wasm.instantiate === patched) wasm.instantiate = original;
  }
  const module = lua.module as unknown as EmscriptenModule;
  const exports = captured as Exports | null;
  const memory = exports?.memory;
  if (exports === null || !(memory instanceof wasm.Memory) || memory.buffer !== module.HEAPU8.buffer)
    return { module, direct: false };
  const bound: Array<[string, unknown]> = [];
  for (const name of names) {
    if (!name.startsWith('_') || typeof module[name] !== 'function') continue;
    const raw = exports[name.slice(1)];
    if (typeof raw === 'function') bound.push([name, raw]);
  }
  // Built in one go (fromEntries), not property by property: that keeps it a fast object.
  const direct = Object.setPrototypeOf(Object.fromEntries(bound), module) as EmscriptenModule;
  return { module: direct, direct: true };
}
