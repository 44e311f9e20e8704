/**
 * The host side of the `redis` table (script_lua.c): call, pcall, setresp, log, sha1hex,
 * set_repl, acl_check_cmd, and the rand48 generator behind math.random. Errors are raised as
 * Redis raises them: a table {err="ERR <text>"} that the message handler completes with the
 * script's position.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from '../commands/dispatch.js';
import { ErrorReply } from '../errors.js';
import { luaArgs, markCounted, pushReply } from './convert.js';
import { type LuaThread, type LuaVm, T_NUMBER, T_STRING } from './lua/vm.js';
import type { HostTable } from './lua-context.js';
import type { Rand48 } from './rand48.js';
import type { ScriptRun } from './run.js';
import { Refused, scriptCall } from './script-call.js';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'verbose', 'notice', 'warning'];

export interface ApiHost {
  readonly vm: LuaVm;
  readonly resolver: Dispatcher;
  readonly rand: Rand48;
  /** The run in progress, if any. */
  current(): ScriptRun | null;
  log(level: LogLevel, message: string): void;
  /** The Redis version scripts see (redis.REDIS_VERSION) and its number. */
  readonly version: string;
}

/** Push {err = text} (Redis's luaPushError: a code is kept, `ERR ` added when there is none). */
export function pushError(vm: LuaVm, L: LuaThread, text: string): void {
  vm.createtable(L, 0, 1);
  vm.pushstring(L, text);
  vm.setfield(L, -2, 'err');
}

/** Raise {err = "ERR <text>"} from a host function. */
export function raise(vm: LuaVm, L: LuaThread, text: string): never {
  vm.settop(L, 0);
  pushError(vm, L, `ERR ${text}`);
  return vm.error(L);
}

export function versionNumber(v: string): number {
  const [a, b, c] = v.split('.').map((x) => Number.parseInt(x, 10) || 0);
  return (a << 16) | (b << 8) | c;
}

export function redisApi(h: ApiHost): HostTable {
  const vm = h.vm;
  const generic =
    (raiseErrors: boolean) =>
    (L: LuaThread): number => {
      const run = h.current();
      if (run === null) return raise(vm, L, 'redis.call/pcall can only be called inside a script invocation');
      const n = vm.gettop(L);
      const argv = n === 0 ? [] : luaArgs(vm, L, n);
      // The arguments stay below what is pushed next: a C function returns the top values, and
      // has LUA_MINSTACK free slots above its arguments.
      let err: string | null = null;
      if (n === 0) err = 'Please specify at least one argument for this redis lib call';
      else if (argv === null) err = 'Lua redis lib command arguments must be strings or integers';
      if (err !== null) {
        pushError(vm, L, `ERR ${err}`);
        return raiseErrors ? vm.error(L) : 1;
      }
      const r = scriptCall(h.resolver, run, argv!);
      if (r instanceof Refused) {
        pushError(vm, L, `ERR ${r.text}`);
        markCounted(vm, L);
        return raiseErrors ? vm.error(L) : 1;
      }
      pushReply(vm, L, r, run.resp);
      if (raiseErrors && r instanceof ErrorReply) return vm.error(L);
      return 1;
    };

  const sha1hex = (L: LuaThread): number => {
    if (vm.gettop(L) !== 1) return raise(vm, L, 'wrong number of arguments');
    const s = vm.tobytes(L, 1) ?? Buffer.alloc(0);
    vm.pushstring(L, createHash('sha1').update(s).digest('hex'));
    return 1;
  };

  const log = (L: LuaThread): number => {
    const argc = vm.gettop(L);
    if (argc < 2) return raise(vm, L, 'redis.log() requires two arguments or more.');
    const level = vm.tonumber(L, 1);
    if (level === null) return raise(vm, L, 'First argument must be a number (log level).');
    const lv = Math.trunc(level);
    if (lv < 0 || lv > 3) return raise(vm, L, 'Invalid debug level.');
    const parts: string[] = [];
    for (let i = 2; i <= argc; i++) {
      const t = vm.type(L, i);
      if (t === T_STRING || t === T_NUMBER) parts.push(vm.tobytes(L, i)!.toString('utf8'));
    }
    h.log(LOG_LEVELS[lv], parts.join(' '));
    return 0;
  };

  /** redis.REPL_REPLICA: the script's next commands reach replicas. */
  const REPL_REPLICA = 2;

  const setresp = (L: LuaThread): number => {
    const run = h.current();
    if (run === null) return raise(vm, L, 'redis.setresp can only be called inside a script invocation');
    if (vm.gettop(L) !== 1) return raise(vm, L, 'redis.setresp() requires one argument.');
    const resp = Math.trunc(vm.tonumber(L, 1) ?? 0);
    if (resp !== 2 && resp !== 3) return raise(vm, L, 'RESP version must be 2 or 3.');
    run.resp = resp;
    run.ctx.client.resp = resp;
    return 0;
  };

  const setRepl = (L: LuaThread): number => {
    const run = h.current();
    if (run === null) return raise(vm, L, 'redis.set_repl can only be called inside a script invocation');
    if (vm.gettop(L) !== 1) return raise(vm, L, 'redis.set_repl() requires two arguments.');
    const flags = Math.trunc(vm.tonumber(L, 1) ?? 0);
    if ((flags & ~3) !== 0)
      return raise(vm, L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    // Cairn has no AOF: only the replica bit (REPL_REPLICA = 2) matters.
    run.replicate = (flags & REPL_REPLICA) !== 0;
    return 0;
  };

  const aclCheckCmd = (L: LuaThread): number => {
    const run = h.current();
    if (run === null)
      return raise(vm, L, 'redis.acl_check_cmd can only be called inside a script invocation');
    const n = vm.gettop(L);
    const argv = n === 0 ? null : luaArgs(vm, L);
    if (n === 0) return raise(vm, L, 'Please specify at least one argument for this redis lib call');
    if (argv === null) return raise(vm, L, 'Lua redis lib command arguments must be strings or integers');
    const entry = h.resolver.resolve(argv);
    if (entry instanceof ErrorReply) return raise(vm, L, 'Invalid command passed to redis.acl_check_cmd()');
    const acl = run.caller.client.acl;
    const ok = acl.unrestricted || run.ctx.server.acl.check(acl, entry, argv) === null;
    vm.settop(L, 0);
    vm.pushboolean(L, ok);
    return 1;
  };

  const rand48 = (L: LuaThread): number => {
    vm.pushinteger(L, h.rand.next());
    return 1;
  };
  const srand48 = (L: LuaThread): number => {
    h.rand.seed(Math.trunc(vm.tonumber(L, 1) ?? 0));
    return 0;
  };

  return {
    call: generic(true),
    pcall: generic(false),
    sha1hex,
    log,
    setresp,
    set_repl: setRepl,
    acl_check_cmd: aclCheckCmd,
    rand48,
    srand48,
    version: h.version,
    versionNum: versionNumber(h.version),
  };
}
