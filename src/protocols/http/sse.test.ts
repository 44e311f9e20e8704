import { describe, expect, it } from 'vitest';
import { dataLines, sseEvent } from './sse.js';

const text = (b: Buffer) => b.toString('latin1');

describe('SSE framing', () => {
  it('splits data on every kind of line break, as an SSE parser reads it', () => {
    expect(text(dataLines(Buffer.from('one')))).toBe('data: one\n');
    expect(text(dataLines(Buffer.from('a\nb\r\nc\rd')))).toBe('data: a\ndata: b\ndata: c\ndata: d\n');
    expect(text(dataLines(Buffer.from('end\n')))).toBe('data: end\ndata: \n');
    expect(text(dataLines(Buffer.alloc(0)))).toBe('data: \n');
  });

  it('keeps other bytes as they are', () => {
    const bin = Buffer.from([0xff, 0x00, 0x2c, 0x80]);
    expect(dataLines(bin)).toEqual(Buffer.concat([Buffer.from('data: '), bin, Buffer.from('\n')]));
  });

  it('writes event and id lines, then the data and a blank line', () => {
    expect(text(sseEvent('{"a":1}', 'message', '1-0'))).toBe('event: message\nid: 1-0\ndata: {"a":1}\n\n');
    expect(text(sseEvent(Buffer.from('subscribe,ch,1')))).toBe('data: subscribe,ch,1\n\n');
  });
});
