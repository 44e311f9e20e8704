/**
 * The cjson library Redis gives scripts (lua-cjson 2.1): encode, decode, cjson.null and the
 * configuration functions, with lua-cjson's rules and error texts: numbers as %.14g, `/`
 * escaped, tables with only positive integer keys as arrays (refused when excessively sparse),
 * empty tables as `{}`, nesting limited to 1000 levels.
 */
import {
  type HostFunction,
  type LuaThread,
  type LuaVm,
  T_BOOLEAN,
  T_NIL,
  T_NUMBER,
  T_STRING,
  T_TABLE,
} from '../lua/vm.js';
import { type Config, defaultConfig } from './cjson-config.js';
import { formatG, isLuaInteger } from './format.js';

class JsonError extends Error {}

export function cjsonLibrary(vm: LuaVm): Record<string, HostFunction> {
  const cfg = defaultConfig();
  const fail = (L: LuaThread, msg: string): never => vm.errorAt(L, msg);

  const encodeNumber = (n: number): string => {
    if (!Number.isFinite(n)) {
      if (!cfg.invalidEncode) throw new JsonError('Cannot serialise number: must not be NaN or Inf');
      return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
    }
    return formatG(n, cfg.precision);
  };

  const encodeValue = (L: LuaThread, depth: number, out: string[]): void => {
    const t = vm.type(L, -1);
    if (t === T_STRING) out.push(escapeJson(vm.tobytes(L, -1)!));
    else if (t === T_NUMBER) out.push(encodeNumber(vm.tonumber(L, -1)!));
    else if (t === T_BOOLEAN) out.push(vm.toboolean(L, -1) ? 'true' : 'false');
    else if (t === T_NIL || vm.isnull(L, -1)) out.push('null');
    else if (t === T_TABLE) {
      if (depth > cfg.maxDepthEncode) throw new JsonError(`Cannot serialise, excessive nesting (${depth})`);
      if (!vm.checkstack(L, 4)) throw new JsonError('Cannot serialise, excessive nesting');
      const len = arrayLength(L);
      if (len > 0) {
        out.push('[');
        for (let i = 1; i <= len; i++) {
          if (i > 1) out.push(',');
          vm.rawgeti(L, -1, i);
          encodeValue(L, depth + 1, out);
          vm.settop(L, -2);
        }
        out.push(']');
      } else {
        out.push('{');
        let first = true;
        vm.pushnil(L);
        while (vm.next(L, -2)) {
          if (!first) out.push(',');
          first = false;
          const kt = vm.type(L, -2);
          if (kt === T_STRING) out.push(escapeJson(vm.tobytes(L, -2)!));
          else if (kt === T_NUMBER) out.push(`"${encodeNumber(vm.tonumber(L, -2)!)}"`);
          else throw new JsonError('Cannot serialise table: table key must be a number or string');
          out.push(':');
          encodeValue(L, depth + 1, out);
          vm.settop(L, -2);
        }
        out.push('}');
      }
    } else {
      const names = [
        'nil',
        'boolean',
        'userdata',
        'number',
        'string',
        'table',
        'function',
        'userdata',
        'thread',
      ];
      throw new JsonError(`Cannot serialise ${names[t] ?? 'userdata'}: type not supported`);
    }
  };

  /** lua-cjson's lua_array_length: the array length, 0 for an object, or a sparse-array error. */
  const arrayLength = (L: LuaThread): number => {
    let max = 0;
    let items = 0;
    vm.pushnil(L);
    while (vm.next(L, -2)) {
      if (vm.type(L, -2) === T_NUMBER) {
        const k = vm.tonumber(L, -2)!;
        if (Number.isInteger(k) && k >= 1) {
          if (k > max) max = k;
          items++;
          vm.settop(L, -2);
          continue;
        }
      }
      vm.settop(L, -3);
      return 0;
    }
    if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) throw new JsonError('Cannot serialise table: excessively sparse array');
      return 0;
    }
    return max;
  };

  const encode = (L: LuaThread): number => {
    if (vm.gettop(L) !== 1) return fail(L, "bad argument #1 to 'encode' (expected 1 argument)");
    const out: string[] = [];
    try {
      encodeValue(L, 1, out);
    } catch (e) {
      if (e instanceof JsonError) return fail(L, e.message);
      throw e;
    }
    vm.settop(L, 0);
    vm.pushbytes(L, Buffer.from(out.join(''), 'latin1'));
    return 1;
  };

  const decode = (L: LuaThread): number => {
    if (vm.gettop(L) !== 1) return fail(L, "bad argument #1 to 'decode' (expected 1 argument)");
    const text = vm.tobytes(L, 1);
    if (text === null) return fail(L, "bad argument #1 to 'decode' (string expected, got nil)");
    vm.settop(L, 0);
    const p = new Parser(vm, L, text, cfg);
    let err: string | null = null;
    try {
      p.document();
    } catch (e) {
      if (!(e instanceof JsonError)) throw e;
      err = e.message;
    }
    if (err !== null) return fail(L, err);
    return 1;
  };

  const option =
    (get: () => number | boolean, set: (v: number | boolean) => void, kind: 'int' | 'bool') =>
    (L: LuaThread): number => {
      if (vm.gettop(L) >= 1 && vm.type(L, 1) !== T_NIL) {
        if (kind === 'bool')
          set(vm.type(L, 1) === T_BOOLEAN ? vm.toboolean(L, 1) : vm.tobytes(L, 1)?.toString() === 'on');
        else set(Math.trunc(vm.tonumber(L, 1) ?? 0));
      }
      vm.settop(L, 0);
      const v = get();
      if (typeof v === 'boolean') vm.pushboolean(L, v);
      else vm.pushinteger(L, v);
      return 1;
    };

  return {
    encode,
    decode,
    encode_max_depth: option(
      () => cfg.maxDepthEncode,
      (v) => {
        cfg.maxDepthEncode = v as number;
      },
      'int',
    ),
    decode_max_depth: option(
      () => cfg.maxDepthDecode,
      (v) => {
        cfg.maxDepthDecode = v as number;
      },
      'int',
    ),
    encode_number_precision: option(
      () => cfg.precision,
      (v) => {
        cfg.precision = Math.min(14, Math.max(1, v as number));
      },
      'int',
    ),
    encode_keep_buffer: option(
      () => cfg.keepBuffer,
      (v) => {
        cfg.keepBuffer = v as boolean;
      },
      'bool',
    ),
    encode_invalid_numbers: option(
      () => cfg.invalidEncode,
      (v) => {
        cfg.invalidEncode = v as boolean;
      },
      'bool',
    ),
    decode_invalid_numbers: option(
      () => cfg.invalidDecode,
      (v) => {
        cfg.invalidDecode = v as boolean;
      },
      'bool',
    ),
    encode_sparse_array: (L: LuaThread): number => {
      if (vm.gettop(L) >= 1 && vm.type(L, 1) === T_BOOLEAN) cfg.sparseConvert = vm.toboolean(L, 1);
      if (vm.gettop(L) >= 2 && vm.type(L, 2) === T_NUMBER) cfg.sparseRatio = Math.trunc(vm.tonumber(L, 2)!);
      if (vm.gettop(L) >= 3 && vm.type(L, 3) === T_NUMBER) cfg.sparseSafe = Math.trunc(vm.tonumber(L, 3)!);
      vm.settop(L, 0);
      vm.pushboolean(L, cfg.sparseConvert);
      vm.pushinteger(L, cfg.sparseRatio);
      vm.pushinteger(L, cfg.sparseSafe);
      return 3;
    },
  };
}

const HEX = '0123456789abcdef';

/** lua-cjson's string escaping: ", \, / and control characters; other bytes pass as they are. */
function escapeJson(b: Buffer): string {
  let s = '"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x2f) s += '\\/';
    else if (c === 0x08) s += '\\b';
    else if (c === 0x0c) s += '\\f';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c < 0x20 || c === 0x7f) s += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else s += String.fromCharCode(c);
  }
  return `${s}"`;
}

/** A JSON parser that pushes Lua values as it goes (numbers integral -> integers, as 5.1 shows them). */
class Parser {
  private i = 0;
  constructor(
    private readonly vm: LuaVm,
    private readonly L: LuaThread,
    private readonly s: Buffer,
    private readonly cfg: Config,
  ) {}

  private error(expected: string): never {
    const c = this.s[this.i];
    const found = this.i >= this.s.length ? 'T_END' : tokenName(c);
    throw new JsonError(`Expected ${expected} but found ${found} at character ${this.i + 1}`);
  }

  private ws(): void {
    const s = this.s;
    while (
      this.i < s.length &&
      (s[this.i] === 0x20 || s[this.i] === 0x09 || s[this.i] === 0x0a || s[this.i] === 0x0d)
    )
      this.i++;
  }

  document(): void {
    this.value(1);
    this.ws();
    if (this.i < this.s.length) this.error('the end');
  }

  private value(depth: number): void {
    const { vm, L, s } = this;
    this.ws();
    const c = s[this.i];
    if (c === 0x7b || c === 0x5b) {
      if (depth > this.cfg.maxDepthDecode)
        throw new JsonError(`Found too many nested data structures (${depth}) at character ${this.i + 1}`);
      if (!vm.checkstack(L, 3)) throw new JsonError('Found too many nested data structures');
    }
    if (c === 0x7b) {
      this.i++;
      vm.createtable(L, 0, 0);
      this.ws();
      if (s[this.i] === 0x7d) {
        this.i++;
        return;
      }
      for (;;) {
        this.ws();
        if (s[this.i] !== 0x22) this.error('object key string');
        this.string();
        this.ws();
        if (s[this.i] !== 0x3a) this.error('colon');
        this.i++;
        this.value(depth + 1);
        vm.rawset(L, -3);
        this.ws();
        if (s[this.i] === 0x2c) {
          this.i++;
          continue;
        }
        if (s[this.i] === 0x7d) {
          this.i++;
          return;
        }
        this.error('comma or object end');
      }
    }
    if (c === 0x5b) {
      this.i++;
      vm.createtable(L, 0, 0);
      this.ws();
      if (s[this.i] === 0x5d) {
        this.i++;
        return;
      }
      for (let n = 1; ; n++) {
        this.value(depth + 1);
        vm.rawseti(L, -2, n);
        this.ws();
        if (s[this.i] === 0x2c) {
          this.i++;
          continue;
        }
        if (s[this.i] === 0x5d) {
          this.i++;
          return;
        }
        this.error('comma or array end');
      }
    }
    if (c === 0x22) {
      this.string();
      return;
    }
    if (this.word('true')) {
      vm.pushboolean(L, true);
      return;
    }
    if (this.word('false')) {
      vm.pushboolean(L, false);
      return;
    }
    if (this.word('null')) {
      vm.pushnull(L);
      return;
    }
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/.exec(
      s.toString('latin1', this.i, this.i + 400),
    );
    if (m !== null && m[0].length > 0) {
      this.i += m[0].length;
      const n = Number(m[0]);
      if (isLuaInteger(n) && Number.isSafeInteger(n)) vm.pushinteger(L, n);
      else vm.pushnumber(L, n);
      return;
    }
    this.error('value');
  }

  private word(w: string): boolean {
    if (this.s.toString('latin1', this.i, this.i + w.length) !== w) return false;
    this.i += w.length;
    return true;
  }

  private string(): void {
    const s = this.s;
    const start = this.i;
    this.i++;
    const out: number[] = [];
    for (;;) {
      if (this.i >= s.length) {
        this.i = start;
        throw new JsonError(`Expected value but found invalid token at character ${start + 1}`);
      }
      const c = s[this.i++];
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      const e = s[this.i++];
      const simple: Record<number, number> = {
        34: 0x22,
        92: 0x5c,
        47: 0x2f,
        98: 8,
        102: 12,
        110: 10,
        114: 13,
        116: 9,
      };
      if (simple[e] !== undefined) out.push(simple[e]);
      else if (e === 0x75) {
        let cp = Number.parseInt(s.toString('latin1', this.i, this.i + 4), 16);
        this.i += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && s[this.i] === 0x5c && s[this.i + 1] === 0x75) {
          const lo = Number.parseInt(s.toString('latin1', this.i + 2, this.i + 6), 16);
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            this.i += 6;
          }
        }
        if (Number.isNaN(cp))
          throw new JsonError(
            `Expected value but found invalid unicode escape code at character ${start + 1}`,
          );
        for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
      } else throw new JsonError(`Expected value but found invalid escape code at character ${start + 1}`);
    }
    this.vm.pushbytes(this.L, Buffer.from(out));
  }
}

function tokenName(c: number): string {
  switch (c) {
    case 0x7b:
      return 'T_OBJ_BEGIN';
    case 0x7d:
      return 'T_OBJ_END';
    case 0x5b:
      return 'T_ARR_BEGIN';
    case 0x5d:
      return 'T_ARR_END';
    case 0x22:
      return 'T_STRING';
    case 0x3a:
      return 'T_COLON';
    case 0x2c:
      return 'T_COMMA';
    default:
      return 'invalid token';
  }
}
