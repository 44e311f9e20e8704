/**
 * Function libraries (Redis 7.0's functions.c and function_lua.c): `#!lua name=<lib>` code
 * loaded into the functions' own Lua state, its top level calling redis.register_function,
 * functions addressed by name across libraries. Loading is all or nothing: a library whose code
 * fails, registers nothing, or clashes with another library's function leaves the old state.
 */
import { ErrorReply } from '../errors.js';
import { splitArgs } from '../util/split-args.js';
import { LUA_OK, type LuaThread, type LuaVm, T_FUNCTION, T_NIL, T_STRING, T_TABLE } from './lua/vm.js';
import type { LuaContext } from './lua-context.js';
import { lua51Message } from './messages.js';
import { pushError } from './redis-api.js';

/** Script flags in Redis's order (scripts_flags_def), as FUNCTION LIST shows them. */
export const SCRIPT_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster'] as const;
export type ScriptFlag = (typeof SCRIPT_FLAGS)[number];

export interface FunctionInfo {
  readonly name: string;
  readonly description: string | null;
  readonly flags: ReadonlySet<ScriptFlag>;
  readonly ref: number;
  readonly library: Library;
}

export interface Library {
  readonly name: string;
  readonly code: Buffer;
  readonly functions: Map<string, FunctionInfo>;
}

/** Library and function names: letters, digits and underscores. */
const NAME = /^[A-Za-z0-9_]+$/;
const BAD_NAME =
  'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
/** Library code only registers functions: Redis stops it after 500 ms. */
export const LOAD_TIMEOUT_MS = 500;

/** Parse `#!lua name=<lib>`: the library name, or the error reply. */
export function parseLibraryHeader(code: Buffer): { name: string; headerLen: number } | ErrorReply {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21)
    return new ErrorReply('ERR', 'ERR Missing library metadata');
  const end = code.indexOf(0x0a);
  if (end < 0) return new ErrorReply('ERR', 'ERR Invalid library metadata');
  // The shebang line is split as Redis's sdssplitargs does: name="foo" is the name foo.
  const words = splitArgs(code, 0, end);
  if (words === null || words.length === 0) return new ErrorReply('ERR', 'ERR Invalid library metadata');
  const parts = words.map((w) => w.toString('utf8'));
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (const p of parts.slice(1)) {
    if (p.slice(0, 5).toLowerCase() !== 'name=')
      return new ErrorReply('ERR', `ERR Invalid metadata value given: ${p}`);
    if (name !== null)
      return new ErrorReply('ERR', 'ERR Invalid metadata value, name argument was given multiple times');
    name = p.slice(5);
  }
  if (name === null) return new ErrorReply('ERR', 'ERR Library name was not given');
  if (!NAME.test(name)) return new ErrorReply('ERR', `ERR ${BAD_NAME}`);
  if (engine.toLowerCase() !== 'lua') return new ErrorReply('ERR', `ERR Engine '${engine}' not found`);
  return { name, headerLen: end };
}

/** The code Lua compiles: the header line blanked, so line numbers match the library's. */
export function bodyOf(code: Buffer, headerLen: number): Buffer {
  const body = Buffer.from(code);
  body.fill(0x20, 0, headerLen);
  body[0] = 0x2d; // `--`: the blanked header becomes a comment
  if (headerLen > 1) body[1] = 0x2d;
  return body;
}

export class FunctionStore {
  readonly libraries = new Map<string, Library>();
  readonly functions = new Map<string, FunctionInfo>();
  /** The library being loaded: register_function adds to it. */
  private pending: Library | null = null;
  private loadStarted = 0;

  constructor(
    private readonly vm: LuaVm,
    private lua: () => LuaContext,
  ) {}

  /** FUNCTION LOAD: the library's name, or the error reply. */
  load(code: Buffer, replace: boolean): string | ErrorReply {
    const head = parseLibraryHeader(code);
    if (head instanceof ErrorReply) return head;
    const old = this.libraries.get(head.name);
    if (old !== undefined && !replace)
      return new ErrorReply('ERR', `ERR Library '${head.name}' already exists`);
    const lib: Library = { name: head.name, code: Buffer.from(code), functions: new Map() };
    const err = this.evaluate(lib, bodyOf(code, head.headerLen));
    if (err !== null) {
      this.release(lib);
      return err;
    }
    for (const f of lib.functions.keys()) {
      const other = this.functions.get(f.toLowerCase());
      if (other !== undefined && other.library !== old) {
        this.release(lib);
        return new ErrorReply('ERR', `ERR Function ${f} already exists`);
      }
    }
    if (old !== undefined) this.remove(old);
    this.add(lib);
    return lib.name;
  }

  /** Run the library's code with register_function live; null when it registered functions. */
  private evaluate(lib: Library, body: Buffer): ErrorReply | null {
    const lua = this.lua();
    const vm = this.vm;
    const ref = lua.compile(body, '@user_function');
    if (typeof ref === 'string')
      return new ErrorReply('ERR', `ERR Error compiling function: ${lua51Message(ref)}`);
    const L = lua.L;
    this.pending = lib;
    this.loadStarted = performance.now();
    lua.setLoading(true);
    vm.getref(L, ref);
    lua.release(ref);
    vm.setCountHook(L, 100_000, this.loadHook);
    const st = vm.pcall(L, 0, 0);
    vm.setCountHook(L, 0, null);
    const msg = st === LUA_OK ? null : errorText(vm, L);
    vm.settop(L, 0);
    lua.setLoading(false);
    this.pending = null;
    if (msg !== null) return new ErrorReply('ERR', `ERR Error registering functions: ${lua51Message(msg)}`);
    if (lib.functions.size === 0) return new ErrorReply('ERR', 'ERR No functions registered');
    return null;
  }

  private readonly loadHook = (L: LuaThread): void => {
    if (this.pending !== null && performance.now() - this.loadStarted > LOAD_TIMEOUT_MS) {
      this.vm.setCountHook(L, 1, this.loadHook);
      this.vm.settop(L, 0);
      pushError(this.vm, L, 'ERR FUNCTION LOAD timeout');
      this.vm.error(L);
    }
  };

  /** redis.register_function(name, callback) or redis.register_function{...}. */
  readonly registerFunction = (L: LuaThread): number => {
    const vm = this.vm;
    const fail = (text: string): never => {
      vm.settop(L, 0);
      pushError(vm, L, `ERR ${text}`);
      return vm.error(L);
    };
    const lib = this.pending;
    if (lib === null) return fail('redis.register_function can only be called on FUNCTION LOAD command');
    const argc = vm.gettop(L);
    if (argc < 1 || argc > 2) return fail('wrong number of arguments to redis.register_function');
    let name: string | null = null;
    let description: string | null = null;
    const flags = new Set<ScriptFlag>();
    if (argc === 2) {
      if (vm.type(L, 1) !== T_STRING && vm.type(L, 1) !== 3)
        return fail('first argument to redis.register_function must be a string');
      name = vm.tobytes(L, 1)!.toString('utf8');
      if (vm.type(L, 2) !== T_FUNCTION)
        return fail('second argument to redis.register_function must be a function');
      vm.settop(L, 2);
    } else {
      if (vm.type(L, 1) !== T_TABLE)
        return fail(
          'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).',
        );
      let haveCallback = false;
      vm.pushnil(L);
      while (vm.next(L, 1)) {
        if (vm.type(L, -2) !== T_STRING)
          return fail('named argument key given to redis.register_function is not a string');
        const key = vm.tobytes(L, -2)!.toString('utf8').toLowerCase();
        const t = vm.type(L, -1);
        if (key === 'function_name') {
          if (t !== T_STRING && t !== 3)
            return fail('function_name argument given to redis.register_function must be a string');
          name = vm.tobytes(L, -1)!.toString('utf8');
        } else if (key === 'description') {
          if (t !== T_STRING && t !== 3)
            return fail('description argument given to redis.register_function must be a string');
          description = vm.tobytes(L, -1)!.toString('utf8');
        } else if (key === 'callback') {
          if (t !== T_FUNCTION)
            return fail('callback argument given to redis.register_function must be a function');
          vm.pushvalue(L, -1);
          vm.insert(L, 2); // keep the callback at index 2 (below the traversal's key)
          haveCallback = true;
        } else if (key === 'flags') {
          if (t !== T_TABLE)
            return fail(
              'flags argument to redis.register_function must be a table representing function flags',
            );
          if (!readFlags(vm, L, flags)) return fail('unknown flag given');
        } else return fail('unknown argument given to redis.register_function');
        vm.settop(L, -2);
      }
      if (name === null) return fail('redis.register_function must get a function name argument');
      if (!haveCallback) return fail('redis.register_function must get a callback argument');
      vm.settop(L, 2);
    }
    if (!NAME.test(name)) return fail(BAD_NAME);
    if (lib.functions.has(name)) return fail('Function already exists in the library');
    const ref = vm.ref(L); // pops the callback at index 2
    lib.functions.set(name, { name, description, flags, ref, library: lib });
    vm.settop(L, 0);
    return 0;
  };

  private add(lib: Library): void {
    this.libraries.set(lib.name, lib);
    // Function names are case-insensitive server-wide (Redis 7.0's functionDictType).
    for (const f of lib.functions.values()) this.functions.set(f.name.toLowerCase(), f);
  }

  private remove(lib: Library): void {
    this.libraries.delete(lib.name);
    for (const f of lib.functions.keys()) this.functions.delete(f.toLowerCase());
    this.release(lib);
  }

  private release(lib: Library): void {
    const lua = this.lua();
    for (const f of lib.functions.values()) lua.release(f.ref);
  }

  delete(name: string): boolean {
    const lib = this.libraries.get(name);
    if (lib === undefined) return false;
    this.remove(lib);
    return true;
  }

  /** Forget everything (the caller replaces the Lua state). */
  clear(): void {
    this.libraries.clear();
    this.functions.clear();
  }

  /** Bytes of library code and bookkeeping (INFO used_memory_functions). */
  get memory(): number {
    let n = 200;
    for (const lib of this.libraries.values()) n += lib.code.length + 64 + lib.functions.size * 96;
    return n;
  }
}

function readFlags(vm: LuaVm, L: LuaThread, out: Set<ScriptFlag>): boolean {
  for (let i = 1; ; i++) {
    const t = vm.rawgeti(L, -1, i);
    if (t === T_NIL) {
      vm.settop(L, -2);
      return true;
    }
    if (t !== T_STRING && t !== 3) {
      vm.settop(L, -2);
      return false;
    }
    const f = vm.tobytes(L, -1)!.toString('utf8').toLowerCase();
    vm.settop(L, -2);
    if (!(SCRIPT_FLAGS as readonly string[]).includes(f)) return false;
    out.add(f as ScriptFlag);
  }
}

/** The message of a failed pcall without a handler: the err field of a table, or the string. */
function errorText(vm: LuaVm, L: LuaThread): string {
  if (vm.type(L, -1) === T_TABLE) {
    vm.pushstring(L, 'err');
    const t = vm.rawget(L, -2);
    const s = t === T_STRING ? vm.tobytes(L, -1)!.toString('utf8') : 'ERR unknown error';
    vm.settop(L, -2);
    return s;
  }
  const s = vm.tobytes(L, -1)?.toString('utf8') ?? 'unknown error';
  return `ERR ${s}`;
}
