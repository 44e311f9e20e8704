/**
 * The cmsgpack library Redis gives scripts (lua-cmsgpack 0.4): pack(...), unpack(data),
 * unpack_one(data [, offset]), unpack_limit(data, limit [, offset]). Integral numbers pack as
 * the smallest integer encoding, others as float32 when exact else float64; tables whose keys
 * are exactly 1..n pack as arrays, others as maps; nesting past 16 levels packs nil.
 */
import {
  type HostFunction,
  type LuaThread,
  type LuaVm,
  T_BOOLEAN,
  T_NUMBER,
  T_STRING,
  T_TABLE,
} from '../lua/vm.js';
import { isLuaInteger } from './format.js';

const MAX_NESTING = 16;

class Writer {
  private buf = Buffer.allocUnsafe(256);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u16(n: number): void {
    this.room(2);
    this.buf.writeUInt16BE(n, this.len);
    this.len += 2;
  }
  u32(n: number): void {
    this.room(4);
    this.buf.writeUInt32BE(n, this.len);
    this.len += 4;
  }
  big(n: bigint, signed: boolean): void {
    this.room(8);
    if (signed) this.buf.writeBigInt64BE(n, this.len);
    else this.buf.writeBigUInt64BE(n, this.len);
    this.len += 8;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

class Truncated extends Error {}

export function cmsgpackLibrary(vm: LuaVm): Record<string, HostFunction> {
  const encodeInteger = (w: Writer, n: bigint): void => {
    if (n >= 0n) {
      if (n <= 127n) w.byte(Number(n));
      else if (n <= 0xffn) {
        w.byte(0xcc);
        w.byte(Number(n));
      } else if (n <= 0xffffn) {
        w.byte(0xcd);
        w.u16(Number(n));
      } else if (n <= 0xffffffffn) {
        w.byte(0xce);
        w.u32(Number(n));
      } else {
        w.byte(0xcf);
        w.big(n, false);
      }
    } else if (n >= -32n) w.byte(Number(n) & 0xff);
    else if (n >= -128n) {
      w.byte(0xd0);
      w.byte(Number(n) & 0xff);
    } else if (n >= -32768n) {
      w.byte(0xd1);
      w.u16(Number(n) & 0xffff);
    } else if (n >= -2147483648n) {
      w.byte(0xd2);
      w.u32(Number(n) >>> 0);
    } else {
      w.byte(0xd3);
      w.big(n, true);
    }
  };

  const encode = (L: LuaThread, w: Writer, level: number): void => {
    const t = vm.type(L, -1);
    if (t === T_STRING) {
      const b = vm.tobytes(L, -1)!;
      if (b.length < 32) w.byte(0xa0 | b.length);
      else if (b.length <= 0xff) {
        w.byte(0xd9);
        w.byte(b.length);
      } else if (b.length <= 0xffff) {
        w.byte(0xda);
        w.u16(b.length);
      } else {
        w.byte(0xdb);
        w.u32(b.length);
      }
      w.bytes(b);
    } else if (t === T_BOOLEAN) w.byte(vm.toboolean(L, -1) ? 0xc3 : 0xc2);
    else if (t === T_NUMBER) {
      if (vm.isinteger(L, -1)) encodeInteger(w, vm.tointeger(L, -1));
      else {
        const d = vm.tonumber(L, -1)!;
        if (Number.isInteger(d) && Math.abs(d) < 2 ** 63) encodeInteger(w, BigInt(d));
        else if (Math.fround(d) === d || Number.isNaN(d)) {
          w.byte(0xca);
          const b = Buffer.allocUnsafe(4);
          b.writeFloatBE(d, 0);
          w.bytes(b);
        } else {
          w.byte(0xcb);
          const b = Buffer.allocUnsafe(8);
          b.writeDoubleBE(d, 0);
          w.bytes(b);
        }
      }
    } else if (t === T_TABLE && level < MAX_NESTING && vm.checkstack(L, 3)) {
      const n = arrayLength(L);
      if (n >= 0) {
        header(w, n, 0x90, 0xdc, 0xdd);
        for (let i = 1; i <= n; i++) {
          vm.rawgeti(L, -1, i);
          encode(L, w, level + 1);
          vm.settop(L, -2);
        }
      } else {
        let count = 0;
        vm.pushnil(L);
        while (vm.next(L, -2)) {
          count++;
          vm.settop(L, -2);
        }
        header(w, count, 0x80, 0xde, 0xdf);
        vm.pushnil(L);
        while (vm.next(L, -2)) {
          vm.pushvalue(L, -2);
          encode(L, w, level + 1);
          vm.settop(L, -2);
          encode(L, w, level + 1);
          vm.settop(L, -2);
        }
      }
    } else w.byte(0xc0);
  };

  /** n when the keys are exactly 1..n, else -1 (lua-cmsgpack's table_is_an_array). */
  const arrayLength = (L: LuaThread): number => {
    let count = 0;
    let max = 0;
    vm.pushnil(L);
    while (vm.next(L, -2)) {
      vm.settop(L, -2);
      if (vm.type(L, -1) !== T_NUMBER) {
        vm.settop(L, -2);
        return -1;
      }
      const k = vm.tonumber(L, -1)!;
      if (!Number.isInteger(k) || k < 1) {
        vm.settop(L, -2);
        return -1;
      }
      if (k > max) max = k;
      count++;
    }
    return max === count ? count : -1;
  };

  const pack = (L: LuaThread): number => {
    const n = vm.gettop(L);
    if (n === 0) {
      return vm.errorAt(L, 'MessagePack pack needs input.');
    }
    const w = new Writer();
    for (let i = 1; i <= n; i++) {
      vm.pushvalue(L, i);
      encode(L, w, 0);
      vm.settop(L, -2);
    }
    vm.settop(L, 0);
    vm.pushbytes(L, w.result());
    return 1;
  };

  /** Decode one value at `p`, push it, return the next offset. */
  const decode = (L: LuaThread, b: Buffer, p: number): number => {
    const need = (n: number) => {
      if (p + n > b.length) throw new Truncated();
    };
    need(1);
    const c = b[p++];
    const str = (len: number): number => {
      need(len);
      vm.pushbytes(L, b.subarray(p, p + len));
      return p + len;
    };
    const arr = (len: number): number => {
      vm.checkstack(L, 2);
      vm.createtable(L, len, 0);
      for (let i = 1; i <= len; i++) {
        p = decode(L, b, p);
        vm.rawseti(L, -2, i);
      }
      return p;
    };
    const map = (len: number): number => {
      vm.checkstack(L, 3);
      vm.createtable(L, 0, len);
      for (let i = 0; i < len; i++) {
        p = decode(L, b, p);
        p = decode(L, b, p);
        vm.rawset(L, -3);
      }
      return p;
    };
    const num = (n: number | bigint): number => {
      if (typeof n === 'bigint') vm.pushinteger(L, n);
      else if (isLuaInteger(n)) vm.pushinteger(L, n);
      else vm.pushnumber(L, n);
      return p;
    };
    if (c <= 0x7f) return num(c);
    if (c >= 0xe0) return num(c - 256);
    if ((c & 0xe0) === 0xa0) return str(c & 0x1f);
    if ((c & 0xf0) === 0x90) return arr(c & 0x0f);
    if ((c & 0xf0) === 0x80) return map(c & 0x0f);
    switch (c) {
      case 0xc0:
        vm.pushnil(L);
        return p;
      case 0xc2:
      case 0xc3:
        vm.pushboolean(L, c === 0xc3);
        return p;
      case 0xca:
        need(4);
        p += 4;
        return num(b.readFloatBE(p - 4));
      case 0xcb:
        need(8);
        p += 8;
        return num(b.readDoubleBE(p - 8));
      case 0xcc:
        need(1);
        return num(b[p++]);
      case 0xcd:
        need(2);
        p += 2;
        return num(b.readUInt16BE(p - 2));
      case 0xce:
        need(4);
        p += 4;
        return num(b.readUInt32BE(p - 4));
      case 0xcf:
        need(8);
        p += 8;
        return num(b.readBigUInt64BE(p - 8));
      case 0xd0:
        need(1);
        return num(b.readInt8(p++));
      case 0xd1:
        need(2);
        p += 2;
        return num(b.readInt16BE(p - 2));
      case 0xd2:
        need(4);
        p += 4;
        return num(b.readInt32BE(p - 4));
      case 0xd3:
        need(8);
        p += 8;
        return num(b.readBigInt64BE(p - 8));
      case 0xc4:
      case 0xd9:
        need(1);
        return str(b[p++]);
      case 0xc5:
      case 0xda:
        need(2);
        p += 2;
        return str(b.readUInt16BE(p - 2));
      case 0xc6:
      case 0xdb:
        need(4);
        p += 4;
        return str(b.readUInt32BE(p - 4));
      case 0xdc:
        need(2);
        p += 2;
        return arr(b.readUInt16BE(p - 2));
      case 0xdd:
        need(4);
        p += 4;
        return arr(b.readUInt32BE(p - 4));
      case 0xde:
        need(2);
        p += 2;
        return map(b.readUInt16BE(p - 2));
      case 0xdf:
        need(4);
        p += 4;
        return map(b.readUInt32BE(p - 4));
      default:
        throw new Error('Bad data format in input.');
    }
  };

  /** Decode up to `limit` values (0: all) from `offset`; returns [next offset, count]. */
  const unpackMany = (L: LuaThread, limit: number, offset: number): [number, number] => {
    const b = vm.tobytes(L, 1);
    if (b === null) {
      return vm.errorAt(L, "bad argument #1 to 'unpack' (string expected)");
    }
    vm.settop(L, 0);
    let p = offset;
    let count = 0;
    let err: string | null = null;
    try {
      while (p < b.length && (limit === 0 || count < limit)) {
        vm.checkstack(L, 2);
        p = decode(L, b, p);
        count++;
      }
    } catch (e) {
      err = e instanceof Truncated ? 'Missing bytes in input.' : (e as Error).message;
    }
    if (err !== null) {
      return vm.errorAt(L, err);
    }
    return [p >= b.length ? -1 : p, count];
  };

  return {
    pack,
    unpack: (L) => unpackMany(L, 0, 0)[1],
    unpack_one: (L) => {
      const offset = Math.trunc(vm.tonumber(L, 2) ?? 0);
      const [next, count] = unpackMany(L, 1, offset);
      vm.pushinteger(L, next);
      vm.insert(L, 1);
      return count + 1;
    },
    unpack_limit: (L) => {
      const limit = Math.trunc(vm.tonumber(L, 2) ?? 0);
      const offset = Math.trunc(vm.tonumber(L, 3) ?? 0);
      const [next, count] = unpackMany(L, limit, offset);
      vm.pushinteger(L, next);
      vm.insert(L, 1);
      return count + 1;
    },
  };
}

function header(w: Writer, n: number, fix: number, c16: number, c32: number): void {
  if (n < 16) w.byte(fix | n);
  else if (n <= 0xffff) {
    w.byte(c16);
    w.u16(n);
  } else {
    w.byte(c32);
    w.u32(n);
  }
}
