/**
 * Redis's conversions between replies and Lua values (script_lua.c), both ways.
 *
 * Reply -> Lua (what redis.call returns), as the script's client would read it in its protocol
 * (RESP2 unless the script called redis.setresp(3)):
 *   bulk -> string; integer -> number; status -> {ok=...}; error -> {err=...};
 *   array -> table (RESP3 nulls leave holes); null -> false (RESP2) or nil (RESP3);
 *   RESP2 renders a double, map, set, boolean and verbatim string as it does on the wire
 *   (bulk, flat array, array, integer, bulk); RESP3 gives {double=n}, {map={k=v}},
 *   {set={m=true}}, true/false, {verbatim_string={format=..., string=...}}, {big_number=...}.
 * Lua -> reply (what the script returns): string -> bulk; number -> integer (truncated);
 *   boolean -> 1 / null (RESP2 script) or a RESP3 boolean; a table with a string `err` -> error,
 *   `ok` -> status, `double`, `big_number`, `verbatim_string`, `map`, `set` -> those replies;
 *   any other table -> array of t[1], t[2], ... up to the first nil; anything else -> null.
 */

import {
  AttributeReply,
  BigNumberReply,
  BooleanReply,
  DoubleReply,
  MapReply,
  NO_REPLY,
  NULL_ARRAY,
  OK,
  PushReply,
  type Reply,
  SequenceReply,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from '../commands/reply.js';
import { ErrorReply } from '../errors.js';
import { formatDouble } from '../util/double.js';
import { type LuaThread, type LuaVm, T_BOOLEAN, T_NIL, T_NUMBER, T_STRING, T_TABLE } from './lua/vm.js';

/** Nesting deeper than this is refused (Redis: "reached lua stack limit"), self-references too. */
const MAX_DEPTH = 1000;
const INT64_MIN = -(2n ** 63n);
const TWO_63 = 2 ** 63;

/** An error reply as the Lua table Redis makes of it: the text without CR/LF at the ends. */
export function errorTableText(message: string): string {
  return message.replace(/^[\r\n]+|[\r\n]+$/g, '');
}

/** Push a command's reply as the script's client (RESP `resp`) would read it. */
export function pushReply(vm: LuaVm, L: LuaThread, r: Reply, resp: 2 | 3, depth = 0): void {
  // A host function has LUA_MINSTACK (20) free slots, more than a bulk or status reply takes.
  if (depth === 0) {
    if (!(r instanceof Buffer || r instanceof SimpleReply)) vm.checkstack(L, 8);
  } else if (depth > MAX_DEPTH || !vm.checkstack(L, 4)) {
    vm.pushnil(L);
    return;
  }
  if (r instanceof Buffer) vm.pushbytes(L, r);
  else if (typeof r === 'number') {
    if (Number.isInteger(r)) vm.pushinteger(L, r);
    else vm.pushnumber(L, r);
  } else if (r === null || r === NULL_ARRAY || r === NO_REPLY) {
    if (resp === 2) vm.pushboolean(L, false);
    else vm.pushnil(L);
  } else if (Array.isArray(r)) pushArray(vm, L, r, resp, depth);
  else if (r instanceof SimpleReply) pushStringField(vm, L, 'ok', r.value);
  else if (r instanceof ErrorReply) {
    pushStringField(vm, L, 'err', errorTableText(r.message));
    markCounted(vm, L);
  } else if (typeof r === 'bigint') vm.pushinteger(L, r);
  else if (r instanceof DoubleReply) {
    if (resp === 2) vm.pushstring(L, r.text ?? formatDouble(r.value));
    else {
      vm.createtable(L, 0, 1);
      vm.pushnumber(L, r.value);
      vm.setfield(L, -2, 'double');
    }
  } else if (r instanceof BooleanReply) {
    if (resp === 2) vm.pushinteger(L, r.value ? 1 : 0);
    else vm.pushboolean(L, r.value);
  } else if (r instanceof MapReply) {
    if (resp === 2) pushArray(vm, L, r.entries.flat(), resp, depth);
    else {
      vm.createtable(L, 0, 1);
      vm.createtable(L, 0, r.entries.length);
      for (const [k, v] of r.entries) {
        pushReply(vm, L, k, resp, depth + 1);
        pushReply(vm, L, v, resp, depth + 1);
        settable(vm, L);
      }
      vm.setfield(L, -2, 'map');
    }
  } else if (r instanceof SetReply) {
    if (resp === 2) pushArray(vm, L, r.items, resp, depth);
    else {
      vm.createtable(L, 0, 1);
      vm.createtable(L, 0, r.items.length);
      for (const m of r.items) {
        pushReply(vm, L, m, resp, depth + 1);
        vm.pushboolean(L, true);
        settable(vm, L);
      }
      vm.setfield(L, -2, 'set');
    }
  } else if (r instanceof VerbatimReply) {
    if (resp === 2) vm.pushstring(L, r.text);
    else {
      vm.createtable(L, 0, 1);
      vm.createtable(L, 0, 2);
      vm.pushstring(L, r.text);
      vm.setfield(L, -2, 'string');
      vm.pushstring(L, r.format.padEnd(3, ' ').slice(0, 3));
      vm.setfield(L, -2, 'format');
      vm.setfield(L, -2, 'verbatim_string');
    }
  } else if (r instanceof BigNumberReply) {
    if (resp === 2) vm.pushstring(L, r.value);
    else pushField(vm, L, 'big_number', Buffer.from(r.value, 'latin1'));
  } else if (r instanceof PushReply) pushArray(vm, L, r.items, resp, depth);
  // Scripts do not see attributes (Redis 7.0 parses and drops them).
  else if (r instanceof AttributeReply) pushReply(vm, L, r.reply, resp, depth);
  else if (r instanceof SequenceReply) {
    // A client reads the first of several replies as the command's answer.
    if (r.replies.length === 0) vm.pushboolean(L, false);
    else pushReply(vm, L, r.replies[0], resp, depth);
  } else vm.pushnil(L);
}

/** t[k] = v for t, k, v on top (k and v popped), skipping a nil key (a RESP3 null). */
function settable(vm: LuaVm, L: LuaThread): void {
  if (vm.type(L, -2) === T_NIL) vm.settop(L, -3);
  else vm.rawset(L, -3);
}

/**
 * An error table made of a command's error: its stats are counted already (Redis's
 * `ignore_error_stats_update` field), so a script returning or raising it does not count it again.
 */
export function markCounted(vm: LuaVm, L: LuaThread): void {
  vm.pushboolean(L, true);
  vm.setfield(L, -2, 'ignore_error_stats_update');
}

/** {name = value} with value as UTF-8 (status and error texts). */
function pushStringField(vm: LuaVm, L: LuaThread, name: string, value: string): void {
  vm.createtable(L, 0, 1);
  vm.pushstring(L, value);
  vm.setfield(L, -2, name);
}

function pushField(vm: LuaVm, L: LuaThread, name: string, value: Buffer): void {
  vm.createtable(L, 0, 1);
  vm.pushbytes(L, value);
  vm.setfield(L, -2, name);
}

function pushArray(vm: LuaVm, L: LuaThread, items: readonly Reply[], resp: 2 | 3, depth: number): void {
  vm.createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushReply(vm, L, items[i], resp, depth + 1);
    if (vm.type(L, -1) === T_NIL) vm.settop(L, -2);
    else vm.rawseti(L, -2, i + 1);
  }
}

/** A Lua number as Redis's (long long) cast gives it: truncated; NaN and overflow to INT64_MIN. */
export function luaNumberToInteger(vm: LuaVm, L: LuaThread, idx: number): number | bigint {
  if (vm.isinteger(L, idx)) {
    const b = vm.tointeger(L, idx);
    return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
  }
  const d = vm.tonumber(L, idx) ?? 0;
  if (Number.isNaN(d) || d >= TWO_63 || d < -TWO_63) return INT64_MIN;
  const t = Math.trunc(d);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

/**
 * Convert the value at the top of the stack (left in place) into a reply for the caller; `resp`
 * is the protocol the script set for itself (booleans depend on it).
 */
export function luaToReply(vm: LuaVm, L: LuaThread, resp: 2 | 3, depth = 0): Reply {
  const t = vm.type(L, -1);
  if (t === T_STRING) return vm.tobytes(L, -1)!;
  if (t === T_NUMBER) return luaNumberToInteger(vm, L, -1);
  if (t === T_BOOLEAN) {
    const b = vm.toboolean(L, -1);
    if (resp === 3) return new BooleanReply(b);
    return b ? 1 : null;
  }
  if (t !== T_TABLE) return null;
  if (depth > MAX_DEPTH || !vm.checkstack(L, 6)) return new ErrorReply('ERR', 'ERR reached lua stack limit');
  if (field(vm, L, 'err') === T_STRING) {
    const msg = vm.tobytes(L, -1)!.toString('utf8');
    vm.settop(L, -2);
    const counted = field(vm, L, 'ignore_error_stats_update') === T_BOOLEAN && vm.toboolean(L, -1);
    vm.settop(L, -2);
    const e = scriptError(msg);
    e.statsCounted = counted;
    return e;
  }
  vm.settop(L, -2);
  if (field(vm, L, 'ok') === T_STRING) {
    const b = vm.tobytesShared(L, -1)!;
    if (b.length === 2 && b[0] === 0x4f && b[1] === 0x4b) {
      // {ok='OK'}, what redis.call('set', ...) gives back: the shared reply.
      vm.settop(L, -2);
      return OK;
    }
    const ok = vm
      .tobytes(L, -1)!
      .toString('utf8')
      .replace(/[\r\n]/g, ' ');
    vm.settop(L, -2);
    return new SimpleReply(ok);
  }
  vm.settop(L, -2);
  if (field(vm, L, 'double') === T_NUMBER) {
    const d = vm.tonumber(L, -1)!;
    vm.settop(L, -2);
    return new DoubleReply(d);
  }
  vm.settop(L, -2);
  if (field(vm, L, 'big_number') === T_STRING) {
    const s = vm
      .tobytes(L, -1)!
      .toString('latin1')
      .replace(/[\r\n]/g, ' ');
    vm.settop(L, -2);
    return new BigNumberReply(s);
  }
  vm.settop(L, -2);
  if (field(vm, L, 'verbatim_string') === T_TABLE) {
    const v = verbatim(vm, L);
    vm.settop(L, -2);
    if (v !== null) return v;
  } else vm.settop(L, -2);
  if (field(vm, L, 'map') === T_TABLE) {
    const entries: Array<[Reply, Reply]> = [];
    vm.pushnil(L);
    while (vm.next(L, -2)) {
      vm.pushvalue(L, -2);
      const k = luaToReply(vm, L, resp, depth + 1);
      vm.settop(L, -2);
      const v = luaToReply(vm, L, resp, depth + 1);
      vm.settop(L, -2);
      entries.push([k, v]);
    }
    vm.settop(L, -2);
    return new MapReply(entries);
  }
  vm.settop(L, -2);
  if (field(vm, L, 'set') === T_TABLE) {
    const items: Reply[] = [];
    vm.pushnil(L);
    while (vm.next(L, -2)) {
      vm.settop(L, -2);
      vm.pushvalue(L, -1);
      items.push(luaToReply(vm, L, resp, depth + 1));
      vm.settop(L, -2);
    }
    vm.settop(L, -2);
    return new SetReply(items);
  }
  vm.settop(L, -2);
  const out: Reply[] = [];
  for (let i = 1; ; i++) {
    if (vm.rawgeti(L, -1, i) === T_NIL) {
      vm.settop(L, -2);
      break;
    }
    out.push(luaToReply(vm, L, resp, depth + 1));
    vm.settop(L, -2);
  }
  return out;
}

/** Push t[name] (raw) for the table on top; returns its type. */
function field(vm: LuaVm, L: LuaThread, name: string): number {
  vm.pushstring(L, name);
  return vm.rawget(L, -2);
}

function verbatim(vm: LuaVm, L: LuaThread): VerbatimReply | null {
  const ft = field(vm, L, 'format');
  const format = ft === T_STRING ? vm.tobytes(L, -1)!.toString('latin1') : null;
  vm.settop(L, -2);
  const st = field(vm, L, 'string');
  const text = st === T_STRING ? vm.tobytes(L, -1)!.toString('utf8') : null;
  vm.settop(L, -2);
  return format !== null && text !== null ? new VerbatimReply(format, text) : null;
}

/**
 * An error reply from a script's text (`CODE message`, or a message without a code, which
 * Redis passes on as it is), one line as addReplyErrorFormat makes it.
 */
export function scriptError(msg: string): ErrorReply {
  const line = msg.replace(/[\r\n]+$/, '').replace(/[\r\n]/g, ' ');
  return new ErrorReply(errorKindOf(line), line.startsWith('-') ? line.slice(1) : line);
}

/** The error table's kind for HTTP/gRPC: known codes keep their status, others are ERR. */
function errorKindOf(line: string): ErrorReply['kind'] {
  const sp = line.indexOf(' ');
  const code = sp < 0 ? line : line.slice(0, sp);
  switch (code) {
    case 'WRONGTYPE':
    case 'NOPERM':
    case 'OOM':
    case 'NOAUTH':
    case 'BUSY':
    case 'NOSCRIPT':
    case 'EXECABORT':
      return code;
    default:
      return 'ERR';
  }
}

/** Lua arguments 1..n as command arguments: strings as they are, numbers as Redis's %.17g. */
export function luaArgs(vm: LuaVm, L: LuaThread, n = vm.gettop(L)): Buffer[] | null {
  const argv: Buffer[] = new Array(n);
  for (let i = 1; i <= n; i++) {
    const t = vm.type(L, i);
    if (t === T_NUMBER) argv[i - 1] = Buffer.from(formatDouble(vm.tonumber(L, i)!), 'latin1');
    // Arguments are only read (the keyspace copies what it keeps): repeated ones share a Buffer.
    else if (t === T_STRING) argv[i - 1] = vm.tobytesShared(L, i)!;
    else return null;
  }
  return argv;
}
