import { describe, expect, it } from 'vitest';
import { createCommandTable } from '../index.js';
import { keysAndFlags } from './command-keys.js';

const table = createCommandTable();
const argv = (...s: string[]) => s.map((x) => Buffer.from(x));

function flagsOf(name: string, ...args: string[]): Array<[string, string]> {
  const [base, sub] = name.split('|');
  let spec = table.specs.get(base)!;
  if (sub !== undefined) spec = spec.subcommands!.find((s) => s.name === sub)!;
  const a = argv(...name.split('|'), ...args);
  return keysAndFlags(name, spec, a).map(([i, f]) => [a[i].toString(), f.join(' ')]);
}

describe('keysAndFlags', () => {
  it("follows Redis's key specs: per-key flags, keywords, numkeys", () => {
    expect(flagsOf('lmove', 'a', 'b', 'left', 'right')).toEqual([
      ['a', 'rw access delete'],
      ['b', 'rw insert'],
    ]);
    expect(flagsOf('zunionstore', 'd', '2', 'x', 'y')).toEqual([
      ['d', 'ow update'],
      ['x', 'ro access'],
      ['y', 'ro access'],
    ]);
    expect(flagsOf('xread', 'streams', 'a', 'b', '0', '0').map(([k]) => k)).toEqual(['a', 'b']);
    expect(flagsOf('memory|usage', 'k')).toEqual([['k', 'ro']]);
  });

  it('falls back to the command’s own key finder with the getkeys procedures’ flags', () => {
    expect(flagsOf('sort', 'k', 'by', 'w', 'store', 'd')).toEqual([
      ['k', 'ro access'],
      ['d', 'ow update'],
    ]);
    expect(flagsOf('set', 'k', 'v')).toEqual([['k', 'ow update']]);
    expect(flagsOf('set', 'k', 'v', 'GET')).toEqual([['k', 'rw access update']]);
    expect(flagsOf('bitfield', 'k', 'get', 'u8', '0')).toEqual([['k', 'ro access']]);
    expect(flagsOf('bitfield', 'k', 'incrby', 'u8', '0', '1')).toEqual([['k', 'rw access update']]);
    expect(flagsOf('migrate', 'h', '1', '', '0', '0', 'keys', 'a', 'b')).toEqual([
      ['a', 'rw access delete'],
      ['b', 'rw access delete'],
    ]);
  });
});
