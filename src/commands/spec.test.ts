import { describe, expect, it } from 'vitest';
import { type CommandSpec, command, keyIndexes } from './spec.js';

const b = (...xs: string[]) => xs.map((x) => Buffer.from(x));

function spec(extra: Partial<CommandSpec>): CommandSpec {
  return command({ name: 'x', arity: -2, group: 'generic', summary: '', since: '7.0.0', ...extra });
}

describe('keyIndexes', () => {
  it('follows the legacy range when no key-specs are declared', () => {
    const mset = spec({ firstKey: 1, lastKey: -1, step: 2 });
    expect(keyIndexes(mset, b('mset', 'a', '1', 'b', '2'))).toEqual([1, 3]);
  });

  it('reads a numkeys argument (ZUNIONSTORE dest numkeys key ...)', () => {
    const zunionstore = spec({
      firstKey: 1,
      lastKey: 1,
      step: 1,
      keySpecs: [
        { begin: { index: 1 }, find: { range: { lastKey: 0, step: 1, limit: 0 } } },
        { begin: { index: 2 }, find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } } },
      ],
    });
    expect(keyIndexes(zunionstore, b('zunionstore', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'))).toEqual([
      1, 3, 4,
    ]);
    // A numkeys that is not a positive number names no keys (the command itself refuses it).
    expect(keyIndexes(zunionstore, b('zunionstore', 'd', 'x', 'a'))).toEqual([1]);
    // More keys announced than given: only those present.
    expect(keyIndexes(zunionstore, b('zunionstore', 'd', '5', 'a'))).toEqual([1, 3]);
  });

  it('finds keys after a keyword, keeping half of what follows (XREAD ... STREAMS k1 k2 id1 id2)', () => {
    const xread = spec({
      keySpecs: [
        { begin: { keyword: 'STREAMS', startFrom: 1 }, find: { range: { lastKey: -1, step: 1, limit: 2 } } },
      ],
    });
    expect(keyIndexes(xread, b('xread', 'COUNT', '2', 'streams', 'k1', 'k2', '0', '0'))).toEqual([4, 5]);
    expect(keyIndexes(xread, b('xread', 'COUNT', '2'))).toEqual([]);
  });
});
