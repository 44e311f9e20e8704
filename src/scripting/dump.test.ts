import { describe, expect, it } from 'vitest';
import { crc64, decodeDump, encodeDump } from './dump.js';
import { lua51Message } from './messages.js';
import { Rand48 } from './rand48.js';

describe('FUNCTION DUMP payloads', () => {
  it("computes Redis's CRC-64 (Jones)", () => {
    // crc64.c's own test vector.
    expect(crc64(Buffer.from('123456789')).readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
  });

  it('writes an empty dump byte for byte as Redis 7.0 does, and reads it back', () => {
    expect(encodeDump([]).toString('hex')).toBe('0a005d9b5c400f7fa2da');
    expect(decodeDump(Buffer.from('0a005d9b5c400f7fa2da', 'hex'))).toEqual([]);
  });

  it('round-trips libraries of every length encoding, and refuses damage', () => {
    const codes = [Buffer.from('#!lua name=a\n'), Buffer.alloc(300, 0x61), Buffer.alloc(20_000, 0x62)];
    const dump = encodeDump(codes);
    expect(decodeDump(dump)).toEqual(codes);
    const bad = Buffer.from(dump);
    bad[5] ^= 1;
    expect(decodeDump(bad)).toBeNull();
    expect(decodeDump(dump.subarray(0, 8))).toBeNull();
  });

  it('reads an LZF-compressed code string, as Redis may write one', () => {
    // "abcabcabc": a literal run of 3, then a back reference of 6 at distance 3.
    const lzf = Buffer.from([0x02, 0x61, 0x62, 0x63, 0x80, 0x02]);
    const body = Buffer.concat([Buffer.from([0xf5, 0xc3, lzf.length, 9]), lzf, Buffer.from([0x0a, 0x00])]);
    const payload = Buffer.concat([body, crc64(body)]);
    expect(decodeDump(payload)?.map(String)).toEqual(['abcabcabc']);
  });
});

describe('Lua 5.1 compatibility helpers', () => {
  it("follows Redis's rand48 sequence from its start state", () => {
    const r = new Rand48();
    // math.random(1000000) after a fresh redis-server start: 396465, 840486.
    const RAND_MAX = 2147483647;
    const next = () => Math.floor(((r.next() % RAND_MAX) / RAND_MAX) * 1_000_000) + 1;
    expect([next(), next()]).toEqual([396465, 840486]);
  });

  it('words runtime errors as Lua 5.1 does', () => {
    expect(lua51Message("user_script:1: attempt to index a nil value (field 'x')")).toBe(
      "user_script:1: attempt to index field 'x' (a nil value)",
    );
    expect(lua51Message("user_script:1: attempt to call a nil value (global 'f')")).toBe(
      "user_script:1: attempt to call global 'f' (a nil value)",
    );
    expect(lua51Message('user_script:1: unexpected symbol near <eof>')).toBe(
      "user_script:1: unexpected symbol near '<eof>'",
    );
  });
});
