/** Test-only builders for the RDB encodings Cairn reads but never writes (ziplists). */

/** A ziplist of these entries, built by the format's rules (test-only writer). */
export function ziplist(entries: Array<string | number>): Buffer {
  const parts: Buffer[] = [];
  let prev = 0;
  for (const e of entries) {
    const pre = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([254]), u32le(prev)]);
    let body: Buffer;
    if (typeof e === 'number') {
      if (e >= 0 && e <= 12) body = Buffer.from([0xf1 + e]);
      else if (e >= -128 && e <= 127) body = Buffer.from([0xfe, e & 0xff]);
      else {
        body = Buffer.alloc(9);
        body[0] = 0xe0;
        body.writeBigInt64LE(BigInt(e), 1);
      }
    } else {
      const s = Buffer.from(e);
      body =
        s.length < 64
          ? Buffer.concat([Buffer.from([s.length]), s])
          : Buffer.concat([Buffer.from([0x40 | (s.length >> 8), s.length & 0xff]), s]);
    }
    const entry = Buffer.concat([pre, body]);
    parts.push(entry);
    prev = entry.length;
  }
  const data = Buffer.concat(parts);
  const total = 10 + data.length + 1;
  const head = Buffer.alloc(10);
  head.writeUInt32LE(total, 0);
  head.writeUInt32LE(entries.length === 0 ? 10 : 10 + data.length - prev, 4);
  head.writeUInt16LE(entries.length, 8);
  return Buffer.concat([head, data, Buffer.from([0xff])]);
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}
