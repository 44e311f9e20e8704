/** The C libraries Redis links into its Lua, as host tables for the prelude (bit is in Lua). */

import type { LuaThread, LuaVm } from '../lua/vm.js';
import type { HostTable } from '../lua-context.js';
import { cjsonLibrary } from './cjson.js';
import { cmsgpackLibrary } from './cmsgpack.js';
import { structLibrary } from './struct.js';

export function libraries(vm: LuaVm): HostTable {
  return {
    cjson: {
      ...cjsonLibrary(vm),
      // cjson.null is a NULL light userdata; the prelude stores what this returns.
      __null: (L: LuaThread) => {
        vm.pushnull(L);
        return 1;
      },
    },
    cmsgpack: cmsgpackLibrary(vm),
    struct: structLibrary(vm),
  };
}
