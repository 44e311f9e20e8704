/**
 * One sandboxed Lua state: the prelude's API (compile, the coroutine body, the globals base),
 * the compiled functions anchored in its registry, and the coroutine scripts run in. EVAL
 * scripts and function libraries each get one, as Redis gives each its own lua_State (SCRIPT
 * FLUSH and FUNCTION FLUSH replace one without touching the other).
 */

import {
  type HostFunction,
  LUA_OK,
  type LuaThread,
  type LuaVm,
  T_FUNCTION,
  T_STRING,
  T_TABLE,
} from './lua/vm.js';
import { PRELUDE } from './prelude.js';

/** Host values handed to the prelude: functions, and tables of functions (cjson, ...). */
export type HostTable = { [name: string]: HostFunction | string | number | HostTable };

export class LuaContext {
  readonly L: LuaThread;
  private readonly apiRef: number;
  private readonly runRef: number;
  private readonly baseRef: number;
  private readonly whereRef: number;
  private readonly loadingRef: number;
  private co: LuaThread | null = null;
  private coRef = 0;
  private closed = false;

  constructor(
    private readonly vm: LuaVm,
    host: HostTable,
    functionMode: boolean,
  ) {
    const L = vm.newState();
    if (L === null) throw new Error('the Lua VM refused the memory for a new state');
    this.L = L;
    if (vm.load(L, Buffer.from(PRELUDE, 'utf8'), '=cairn') !== LUA_OK) {
      throw new Error(`scripting prelude: ${vm.tobytes(L, -1)?.toString()}`);
    }
    this.pushHost({ ...host, trampoline: this.trampoline });
    vm.pushboolean(L, functionMode);
    if (vm.pcall(L, 2, 1) !== LUA_OK) throw new Error(`scripting prelude: ${vm.tobytes(L, -1)?.toString()}`);
    vm.pushvalue(L, -1);
    this.apiRef = vm.ref(L);
    this.runRef = this.fieldRef('run');
    this.baseRef = this.fieldRef('base');
    this.whereRef = this.fieldRef('where');
    this.loadingRef = functionMode ? this.fieldRef('loading') : 0;
    vm.settop(L, 0);
  }

  /**
   * trampoline(f): f behind a C function. A script's `return f(...)` is a tail call that drops
   * the script's frame when f is a Lua function, and with it the position Redis reports for an
   * error f raises; a C function in between keeps the frame (Lua 5.4 tail-calls C functions
   * from a new frame). Sandbox functions written in Lua that raise errors are exported so.
   */
  private readonly trampoline = (L: LuaThread): number => {
    const vm = this.vm;
    vm.settop(L, 1);
    const ref = vm.ref(L);
    vm.pushfunction(L, (l: LuaThread): number => {
      const n = vm.gettop(l);
      vm.getref(l, ref);
      vm.insert(l, 1);
      vm.call(l, n, -1);
      return vm.gettop(l);
    });
    return 1;
  };

  private fieldRef(name: string): number {
    this.vm.getfield(this.L, -1, name);
    return this.vm.ref(this.L);
  }

  private pushHost(t: HostTable): void {
    const { vm, L } = this;
    vm.createtable(L, 0, Object.keys(t).length);
    for (const [k, v] of Object.entries(t)) {
      if (typeof v === 'function') vm.pushfunction(L, v as HostFunction);
      else if (typeof v === 'string') vm.pushstring(L, v);
      else if (typeof v === 'number') vm.pushinteger(L, v);
      else this.pushHost(v);
      vm.setfield(L, -2, k);
    }
  }

  /** Bytes this state holds (INFO used_memory_vm_eval / _functions). */
  get memory(): number {
    return this.closed ? 0 : this.vm.memoryUsed(this.L);
  }

  /**
   * Compile `code` as a function of the sandbox (chunk name `@user_script` / `@user_function`,
   * as Redis names them). Returns its registry reference, or the Lua error message.
   */
  compile(code: Buffer, chunkName: string): number | string {
    const { vm, L } = this;
    vm.settop(L, 0);
    vm.getref(L, this.apiRef);
    vm.getfield(L, -1, 'compile');
    vm.pushbytes(L, code);
    vm.pushstring(L, chunkName);
    const st = vm.pcall(L, 2, 2);
    if (st !== LUA_OK || vm.type(L, -2) !== T_FUNCTION) {
      const msg = vm.type(L, -1) === T_STRING ? vm.tobytes(L, -1)!.toString('utf8') : 'not enough memory';
      vm.settop(L, 0);
      return msg;
    }
    vm.settop(L, -2);
    const ref = vm.ref(L);
    vm.settop(L, 0);
    return ref;
  }

  release(ref: number): void {
    if (!this.closed) this.vm.unref(this.L, ref);
  }

  /** The coroutine for the next run (a fresh one after a run that did not end cleanly). */
  thread(): LuaThread {
    if (this.co === null) {
      const { vm, L } = this;
      this.co = vm.newthread(L);
      this.coRef = vm.ref(L);
    }
    return this.co;
  }

  /** Forget the coroutine (it failed, or was killed while suspended): the GC takes it. */
  dropThread(): void {
    if (this.co !== null && !this.closed) this.vm.unref(this.L, this.coRef);
    this.co = null;
  }

  /** Push the coroutine body (api.run) and the function `ref` onto co. */
  pushRun(co: LuaThread, ref: number): void {
    this.vm.getref(co, this.runRef);
    this.vm.getref(co, ref);
  }

  /** EVAL's KEYS and ARGV globals for the next run. */
  setArgs(co: LuaThread, keys: readonly Buffer[], argv: readonly Buffer[]): void {
    const vm = this.vm;
    vm.getref(co, this.baseRef);
    // A plain store: the base table's metatable has no __newindex.
    pushArray(vm, co, keys);
    vm.setfield(co, -2, 'KEYS');
    pushArray(vm, co, argv);
    vm.setfield(co, -2, 'ARGV');
    vm.settop(co, -2);
  }

  /** Where a suspended coroutine stands: [source, line], or null. */
  where(co: LuaThread): [string, number] | null {
    const { vm, L } = this;
    vm.getref(L, this.whereRef);
    // lua_pushthread is not in the API subset: the coroutine's own registry slot stands in.
    vm.getref(L, this.coRef);
    if (vm.pcall(L, 1, 2) !== LUA_OK || vm.type(L, -2) !== T_STRING) {
      vm.settop(L, 0);
      return null;
    }
    const src = vm.tobytes(L, -2)!.toString('utf8');
    const line = vm.tonumber(L, -1) ?? 0;
    vm.settop(L, 0);
    void co;
    return [src, line];
  }

  /** Function libraries: switch the globals to what library code sees while it loads. */
  setLoading(on: boolean): void {
    const { vm, L } = this;
    vm.getref(L, this.loadingRef);
    vm.pushboolean(L, on);
    vm.pcall(L, 1, 0);
    vm.settop(L, 0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.vm.closeState(this.L);
  }
}

export function pushArray(vm: LuaVm, L: LuaThread, items: readonly Buffer[]): void {
  vm.createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    vm.pushbytes(L, items[i]);
    vm.rawseti(L, -2, i + 1);
  }
}

export { T_TABLE };
