import { describe, expect, it } from 'vitest';
import { SetValue } from '../../engine/values/set.js';
import type { VerbatimReply } from '../reply.js';
import { htStatsText } from './debug-htstats.js';
import { session } from './test-helpers.js';

/** [table size, elements, different slots, max chain, sum of chain lengths listed] per table. */
function figures(text: string): number[][] {
  return text.split(/(?=Hash table \d)/).map((t) => {
    const n = (label: string) => Number(new RegExp(`${label}: (\\d+)`).exec(t)?.[1]);
    let listed = 0;
    for (const m of t.matchAll(/^ {3}(\d+): (\d+) /gm)) listed += Number(m[1]) * Number(m[2]);
    return [n('table size'), n('number of elements'), n('different slots'), n('max chain length'), listed];
  });
}

describe('DEBUG HTSTATS-KEY', () => {
  it("formats a table as Redis's dictGetStats", () => {
    const runs = new Map([
      [0, 10],
      [1, 3],
      [3, 1],
    ]);
    expect(htStatsText([{ size: 16, elements: 6, slots: 6, maxRun: 3, runs }])).toBe(
      'Hash table 0 stats (main hash table):\n' +
        ' table size: 16\n number of elements: 6\n different slots: 6\n max chain length: 3\n' +
        ' avg chain length (counted): 1.50\n avg chain length (computed): 1.00\n' +
        ' Chain length distribution:\n   0: 10 (62.50%)\n   1: 3 (18.75%)\n   3: 1 (6.25%)\n',
    );
    expect(htStatsText([{ size: 4, elements: 0, slots: 0, maxRun: 0, runs: new Map([[0, 4]]) }])).toBe(
      'Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n',
    );
  });

  it("reports the set's own index through a rehash, which reads move on", async () => {
    const s = session();
    const ks = s.t.server.keyspace;
    const set = new SetValue();
    for (let i = 0; i < 97; i++) set.add(`m:${i}`);
    ks.set(0, Buffer.from('s'), set);
    // Still packed: one linear chain.
    expect(figures(((await s.raw('DEBUG', 'HTSTATS-KEY', 's')) as VerbatimReply).text)).toEqual([
      [1, 97, 1, 97, 0],
    ]);
    let rehashing: number[][] | null = null;
    for (let i = 97; rehashing === null && i < 5000; i++) {
      await s.run('SADD', 's', `m:${i}`);
      const r = figures(((await s.raw('DEBUG', 'HTSTATS-KEY', 's')) as VerbatimReply).text);
      if (r.length === 2) rehashing = r;
      // Every element is in one of the tables, every listed chain adds up to them.
      const total = r.reduce((a, t) => a + t[1], 0);
      expect(total).toBe(i + 1);
      for (const t of r) if (t[3] < 49) expect(t[4]).toBe(t[1]);
    }
    expect(rehashing).not.toBeNull();
    const [from, to] = rehashing as number[][];
    expect(to[0]).toBe(from[0] * 2);
    let after = rehashing as number[][];
    for (let i = 0; after.length === 2 && i < 1000; i++) {
      await s.run('SRANDMEMBER', 's');
      after = figures(((await s.raw('DEBUG', 'HTSTATS-KEY', 's')) as VerbatimReply).text);
    }
    expect(after).toHaveLength(1);
    expect(after[0][0]).toBe(to[0]);
    expect(after[0][1]).toBe(await s.run('SCARD', 's'));
    await s.run('SET', 'str', 'v');
    expect(await s.run('DEBUG', 'HTSTATS-KEY', 'str')).toBe(
      '-ERR The value stored at the specified key is not represented using an hash table',
    );
    expect(await s.run('DEBUG', 'HTSTATS-KEY', 'nope')).toBe('-ERR no such key');
  });
});
