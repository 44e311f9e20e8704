/**
 * The struct library Redis gives scripts (Roberto Ierusalimschy's struct.c): pack(fmt, ...),
 * unpack(fmt, data [, pos]) (values, then the next position), size(fmt). Formats: `<` `>` `=`
 * endianness, `!n` alignment, `x` padding, `b B h H l L T i[n] I[n]` integers (l, L, T are 8
 * bytes as on 64-bit Linux), `f` `d` floats, `s` zero-terminated and `c[n]` fixed strings.
 */
import type { HostFunction, LuaThread, LuaVm } from '../lua/vm.js';
import { isLuaInteger } from './format.js';

const MAXINTSIZE = 32;
const MAXALIGN = 8;

class StructError extends Error {}

interface Item {
  op: string;
  size: number;
}

function* items(fmt: string): Generator<Item | { align: number } | { little: boolean }> {
  let i = 0;
  const num = (def: number): number => {
    const m = /^[0-9]+/.exec(fmt.slice(i));
    if (m === null) return def;
    i += m[0].length;
    return Number(m[0]);
  };
  while (i < fmt.length) {
    const op = fmt[i++];
    switch (op) {
      case ' ':
        break;
      case '<':
        yield { little: true };
        break;
      case '>':
        yield { little: false };
        break;
      case '=':
        yield { little: true };
        break;
      case '!':
        yield { align: num(MAXALIGN) };
        break;
      case 'x':
      case 'b':
      case 'B':
        yield { op, size: 1 };
        break;
      case 'h':
      case 'H':
        yield { op, size: 2 };
        break;
      case 'l':
      case 'L':
      case 'T':
        yield { op, size: 8 };
        break;
      case 'f':
        yield { op, size: 4 };
        break;
      case 'd':
        yield { op, size: 8 };
        break;
      case 's':
        yield { op, size: 0 };
        break;
      case 'c':
        yield { op, size: num(1) };
        break;
      case 'i':
      case 'I': {
        const n = num(4);
        if (n > MAXINTSIZE) throw new StructError(`integral size ${n} is larger than limit of ${MAXINTSIZE}`);
        yield { op, size: n };
        break;
      }
      default:
        throw new StructError(`invalid format option '${op}'`);
    }
  }
}

function gap(pos: number, size: number, align: number): number {
  if (size > align) size = align;
  if (size <= 1 || (size & (size - 1)) !== 0) return 0;
  return (size - (pos & (size - 1))) & (size - 1);
}

export function structLibrary(vm: LuaVm): Record<string, HostFunction> {
  const fail = (L: LuaThread, msg: string): never => vm.errorAt(L, msg);

  const pack = (L: LuaThread): number => {
    const fmt = vm.tobytes(L, 1)?.toString('latin1');
    if (fmt === undefined) return fail(L, "bad argument #1 to 'pack' (string expected)");
    const parts: Buffer[] = [];
    let pos = 0;
    let little = true;
    let align = 1;
    let arg = 2;
    try {
      for (const it of items(fmt)) {
        if ('little' in it) little = it.little;
        else if ('align' in it) align = it.align;
        else {
          const pad = it.op === 'c' || it.op === 's' ? 0 : gap(pos, it.size, align);
          if (pad > 0) parts.push(Buffer.alloc(pad));
          pos += pad;
          if (it.op === 'x') {
            parts.push(Buffer.alloc(1));
            pos += 1;
          } else if ('bBhHlLTiI'.includes(it.op)) {
            const n = vm.tonumber(L, arg);
            if (n === null) throw new StructError(`bad argument #${arg} to 'pack' (number expected)`);
            arg++;
            let v = BigInt(Math.trunc(n));
            v = BigInt.asUintN(it.size * 8, v);
            const b = Buffer.alloc(it.size);
            for (let k = 0; k < it.size; k++) {
              b[little ? k : it.size - 1 - k] = Number(v & 0xffn);
              v >>= 8n;
            }
            parts.push(b);
            pos += it.size;
          } else if (it.op === 'f' || it.op === 'd') {
            const n = vm.tonumber(L, arg);
            if (n === null) throw new StructError(`bad argument #${arg} to 'pack' (number expected)`);
            arg++;
            const b = Buffer.alloc(it.size);
            if (it.op === 'f') little ? b.writeFloatLE(n, 0) : b.writeFloatBE(n, 0);
            else little ? b.writeDoubleLE(n, 0) : b.writeDoubleBE(n, 0);
            parts.push(b);
            pos += it.size;
          } else {
            const s = vm.tobytes(L, arg);
            if (s === null) throw new StructError(`bad argument #${arg} to 'pack' (string expected)`);
            arg++;
            if (it.op === 's') {
              parts.push(s, Buffer.alloc(1));
              pos += s.length + 1;
            } else {
              const len = it.size === 0 ? s.length : it.size;
              if (s.length < len)
                throw new StructError(`bad argument #${arg - 1} to 'pack' (string too short)`);
              parts.push(s.subarray(0, len));
              pos += len;
            }
          }
        }
      }
    } catch (e) {
      if (e instanceof StructError) return fail(L, e.message);
      throw e;
    }
    vm.settop(L, 0);
    vm.pushbytes(L, Buffer.concat(parts));
    return 1;
  };

  const unpack = (L: LuaThread): number => {
    const fmt = vm.tobytes(L, 1)?.toString('latin1');
    const data = vm.tobytes(L, 2);
    if (fmt === undefined) return fail(L, "bad argument #1 to 'unpack' (string expected)");
    if (data === null) return fail(L, "bad argument #2 to 'unpack' (string expected)");
    let pos = Math.trunc(vm.tonumber(L, 3) ?? 1) - 1;
    if (pos < 0) return fail(L, "bad argument #3 to 'unpack' (offset must be 1 or greater)");
    vm.settop(L, 0);
    let little = true;
    let align = 1;
    let n = 0;
    let lastNumber = 0;
    try {
      for (const it of items(fmt)) {
        if ('little' in it) little = it.little;
        else if ('align' in it) align = it.align;
        else {
          if (it.op !== 'c' && it.op !== 's') pos += gap(pos, it.size, align);
          vm.checkstack(L, 2);
          if (it.op === 'x') pos += 1;
          else if ('bBhHlLTiI'.includes(it.op)) {
            if (pos + it.size > data.length)
              throw new StructError("bad argument #2 to 'unpack' (data string too short)");
            let v = 0n;
            for (let k = 0; k < it.size; k++) {
              v = (v << 8n) | BigInt(data[little ? pos + it.size - 1 - k : pos + k]);
            }
            if (it.op === it.op.toLowerCase()) v = BigInt.asIntN(it.size * 8, v);
            const d = Number(v);
            lastNumber = d;
            if (isLuaInteger(d)) vm.pushinteger(L, BigInt.asIntN(64, v));
            else vm.pushnumber(L, d);
            n++;
            pos += it.size;
          } else if (it.op === 'f' || it.op === 'd') {
            if (pos + it.size > data.length)
              throw new StructError("bad argument #2 to 'unpack' (data string too short)");
            const d =
              it.op === 'f'
                ? little
                  ? data.readFloatLE(pos)
                  : data.readFloatBE(pos)
                : little
                  ? data.readDoubleLE(pos)
                  : data.readDoubleBE(pos);
            lastNumber = d;
            if (isLuaInteger(d) && Number.isSafeInteger(d)) vm.pushinteger(L, d);
            else vm.pushnumber(L, d);
            n++;
            pos += it.size;
          } else if (it.op === 's') {
            const end = data.indexOf(0, pos);
            if (end < 0) throw new StructError("bad argument #2 to 'unpack' (unfinished string in data)");
            vm.pushbytes(L, data.subarray(pos, end));
            n++;
            pos = end + 1;
          } else {
            // c0: the length is the number unpacked just before (struct.c's convention).
            let len = it.size;
            if (len === 0) {
              if (n === 0)
                throw new StructError("bad argument #1 to 'unpack' (format 'c0' needs a previous size)");
              len = Math.trunc(lastNumber);
              vm.settop(L, -2);
              n--;
            }
            if (pos + len > data.length)
              throw new StructError("bad argument #2 to 'unpack' (data string too short)");
            vm.pushbytes(L, data.subarray(pos, pos + len));
            n++;
            pos += len;
          }
        }
      }
    } catch (e) {
      if (e instanceof StructError) return fail(L, e.message);
      throw e;
    }
    vm.pushinteger(L, pos + 1);
    return n + 1;
  };

  const size = (L: LuaThread): number => {
    const fmt = vm.tobytes(L, 1)?.toString('latin1');
    if (fmt === undefined) return fail(L, "bad argument #1 to 'size' (string expected)");
    let pos = 0;
    let align = 1;
    try {
      for (const it of items(fmt)) {
        if ('align' in it) align = it.align;
        else if ('op' in it) {
          if (it.op === 's' || (it.op === 'c' && it.size === 0))
            throw new StructError("bad argument #1 to 'size' (options 'c0' - 's' have undefined sizes)");
          if (it.op !== 'c') pos += gap(pos, it.size, align);
          pos += it.size;
        }
      }
    } catch (e) {
      if (e instanceof StructError) return fail(L, e.message);
      throw e;
    }
    vm.settop(L, 0);
    vm.pushinteger(L, pos);
    return 1;
  };

  return { pack, unpack, size };
}
