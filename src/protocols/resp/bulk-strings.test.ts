import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BulkStringsReply, bulkStrings, bulkStringsFor } from '../../commands/reply.js';
import { OutputBuffer, writeReply } from './encoder.js';

function render(r: Parameters<typeof writeReply>[1], resp: 2 | 3 = 2): Buffer {
  const out = new OutputBuffer(8);
  writeReply(out, r, resp);
  return Buffer.from(out.take());
}

describe('BulkStringsReply', () => {
  it('renders as the array of bulk strings its bytes make, at any length', () => {
    const items = ['', 'a', '\x00\xff\r\n', 'x'.repeat(33), '\xe9'.repeat(70_000)];
    const expected = Buffer.concat([
      Buffer.from(`*${items.length}\r\n`),
      ...items.map((s) =>
        Buffer.concat([Buffer.from(`$${s.length}\r\n`), Buffer.from(s, 'latin1'), Buffer.from('\r\n')]),
      ),
    ]);
    expect(render(new BulkStringsReply(items))).toEqual(expected);
    expect(render(new BulkStringsReply(items), 3)).toEqual(expected);
    expect(render(new BulkStringsReply([]))).toEqual(Buffer.from('*0\r\n'));
  });

  it('renders byte for byte as the same items given as Buffers', () => {
    const latin1 = fc.string({
      unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
      maxLength: 80,
    });
    fc.assert(
      fc.property(fc.array(latin1, { maxLength: 40 }), (items) => {
        const views = bulkStrings(items);
        expect(views.map((b) => b.toString('latin1'))).toEqual(items);
        expect(render(new BulkStringsReply(items))).toEqual(render(views));
        expect(render([1, new BulkStringsReply(items)])).toEqual(render([1, views]));
      }),
    );
  });

  it('is given only to a client that takes it', () => {
    expect(bulkStringsFor({ rawBulks: true }, ['a'])).toBeInstanceOf(BulkStringsReply);
    expect(bulkStringsFor({}, ['a', 'bc'])).toEqual([Buffer.from('a'), Buffer.from('bc')]);
  });
});
