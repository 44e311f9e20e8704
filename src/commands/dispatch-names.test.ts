import { describe, expect, it } from 'vitest';
import { Dispatcher } from './dispatch.js';
import { createCommandTable } from './index.js';
import { ErrorReply } from './reply.js';

const argv = (...a: string[]) => a.map((s) => Buffer.from(s, 'latin1'));

describe('Dispatcher.resolve: command names', () => {
  const d = new Dispatcher(createCommandTable());
  const name = (...a: string[]) => {
    const e = d.resolve(argv(...a));
    return e instanceof ErrorReply ? e.message : e.fullName;
  };

  it('finds names of every length in any case, again from its cache', () => {
    for (let round = 0; round < 2; round++) {
      expect(name('get', 'k')).toBe('get');
      expect(name('PUBLISH', 'c', 'm')).toBe('publish');
      expect(name('Publish', 'c', 'm')).toBe('publish');
      expect(name('hincrby', 'h', 'f', '1')).toBe('hincrby');
      expect(name('SUBSCRIBE', 'c')).toBe('subscribe');
      expect(name('config', 'get', 'maxmemory')).toBe('config|get');
    }
  });

  it('refuses a name that differs from a command only in its high bits', () => {
    expect(name('publish', 'c', 'm')).toBe('publish');
    // 'p' | 0x80: the same 7 low bits as 'p', not the same name.
    expect(name('\xf0ublish', 'c', 'm')).toMatch(/^ERR unknown command '/);
    expect(name('\xe7et', 'k')).toMatch(/^ERR unknown command '/);
    expect(name('get', 'k')).toBe('get');
  });
});
