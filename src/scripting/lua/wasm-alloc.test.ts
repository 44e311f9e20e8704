import { beforeAll, describe, expect, it } from 'vitest';
import { LUA_ERRMEM, LUA_OK, type LuaThread } from './vm.js';
import { WasmLuaVm } from './wasm-vm.js';

let vm: WasmLuaVm;
beforeAll(async () => {
  vm = await WasmLuaVm.create();
});

function run(L: LuaThread, code: string): number {
  const st = vm.load(L, Buffer.from(code), '=test');
  if (st !== LUA_OK) return st;
  return vm.pcall(L, 0, 1);
}

describe('the Lua allocator', () => {
  it('allocates inside wasm and accounts bytes per state', () => {
    expect((vm as unknown as { alloc: { native: boolean } }).alloc.native).toBe(true);
    const a = vm.newState()!;
    const b = vm.newState()!;
    const base = vm.memoryUsed(b);
    expect(base).toBeGreaterThan(1000);
    expect(run(a, "big = {} for i = 1, 20000 do big[i] = 'v' .. i end return #big")).toBe(LUA_OK);
    expect(vm.memoryUsed(a)).toBeGreaterThan(base + 500_000);
    expect(vm.memoryUsed(b)).toBe(base);
    // Freed memory is taken off the state's account.
    const before = vm.memoryUsed(a);
    expect(run(a, "big = nil collectgarbage('collect') return 1")).toBe(LUA_OK);
    expect(vm.memoryUsed(a)).toBeLessThan(before - 500_000);
    vm.closeState(a);
    vm.closeState(b);
  });

  it('refuses growth past the limit and lets the state carry on', () => {
    const L = vm.newState()!;
    vm.setMemoryLimit(vm.memoryUsed(L) + 2_000_000);
    expect(run(L, "local t = {} for i = 1, 1e6 do t[i] = 'x' .. i end return #t")).toBe(LUA_ERRMEM);
    vm.settop(L, 0);
    expect(run(L, 'return 6 * 7')).toBe(LUA_OK);
    expect(vm.tonumber(L, -1)).toBe(42);
    vm.setMemoryLimit(0);
    vm.closeState(L);
  });

  it('reads strings right after the linear memory grew', () => {
    const heapSize = () => (vm as unknown as { m: { HEAPU8: Uint8Array } }).m.HEAPU8.length;
    const L = vm.newState()!;
    const before = heapSize();
    const mb = Math.ceil(before / 1048576) + 4;
    // More megabytes of strings than the linear memory holds: it grows (and its views change).
    const code = `keep = {} for i = 1, ${mb} do keep[i] = string.rep(string.char(65 + i % 26), 1048576) end return 'ok'`;
    expect(run(L, code)).toBe(LUA_OK);
    expect(heapSize()).toBeGreaterThan(before);
    expect(vm.tobytes(L, -1)!.toString()).toBe('ok');
    vm.settop(L, 0);
    vm.pushbytes(L, Buffer.from('after growth'));
    expect(vm.tobytesShared(L, -1)!.toString()).toBe('after growth');
    vm.closeState(L);
  });
});
