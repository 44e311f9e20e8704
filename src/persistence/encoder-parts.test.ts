import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Framer, RecordWriter } from './encoder.js';
import { BLOCK_LZ4, BLOCK_TARGET_BYTES, BlockType } from './format.js';

const header = {
  createdAt: 1,
  databases: 16,
  engine: 'offheap',
  keysAtStart: 0,
  keysPerDb: [],
  cairnVersion: 'test',
};

describe('snapshot encoding without extra copies', () => {
  it('frames a KEYS block in parts: the same bytes and file checksum as a whole block', () => {
    const whole = new Framer();
    const parts = new Framer();
    const a = [whole.start(header)];
    const b = [parts.start(header)];
    for (const [payload, flags] of [
      [randomBytes(100), 0],
      [randomBytes(70_000), BLOCK_LZ4],
    ] as const) {
      a.push(whole.block(BlockType.KEYS, payload, flags));
      const p = parts.keysBlockParts(payload, flags);
      // The payload goes out as it is, not copied.
      expect(p[1]).toBe(payload);
      b.push(...p);
    }
    a.push(whole.end(2).block);
    b.push(parts.end(2).block);
    expect(Buffer.concat(b).equals(Buffer.concat(a))).toBe(true);
    expect(parts.size).toBe(whole.size);
  });

  it('gives a big record a payload of its own size, and small ones a block-sized one', () => {
    const w = new RecordWriter();
    w.add(0, 'small', Buffer.alloc(10), 0);
    w.add(0, 'big', randomBytes(3 * BLOCK_TARGET_BYTES), 0);
    w.add(0, 'small2', Buffer.alloc(10), 0);
    w.flush();
    const out = w.take();
    // The big record's buffer: its key and value and at most 25 bytes of fixed fields.
    expect(out.map((p) => p.buffer.byteLength)).toEqual([
      BLOCK_TARGET_BYTES,
      3 * BLOCK_TARGET_BYTES + 'big'.length + 25,
      BLOCK_TARGET_BYTES,
    ]);
    expect(w.recordCount).toBe(3);
  });
});
