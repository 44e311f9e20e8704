import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

async function withTexts() {
  const s = session();
  await s.run('MSET', 'k1', 'ohmytext', 'k2', 'mynewtext');
  return s;
}

describe('LCS', () => {
  it('finds the common subsequence, its length, and its ranges (Redis documentation example)', async () => {
    const s = await withTexts();
    expect(await s.run('LCS', 'k1', 'k2')).toBe('mytext');
    expect(await s.run('LCS', 'k1', 'k2', 'LEN')).toBe(6);
    expect(await s.run('LCS', 'k1', 'k2', 'IDX')).toEqual({
      map: [
        [
          'matches',
          [
            [
              [4, 7],
              [5, 8],
            ],
            [
              [2, 3],
              [0, 1],
            ],
          ],
        ],
        ['len', 6],
      ],
    });
    expect(await s.run('LCS', 'k1', 'k2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN')).toEqual({
      map: [
        ['matches', [[[4, 7], [5, 8], 4]]],
        ['len', 6],
      ],
    });
  });

  it('treats missing keys as empty strings', async () => {
    const s = session();
    expect(await s.run('LCS', 'a', 'b')).toBe('');
    expect(await s.run('LCS', 'a', 'b', 'IDX')).toEqual({
      map: [
        ['matches', []],
        ['len', 0],
      ],
    });
  });

  it('refuses bad options with Redis words', async () => {
    const s = await withTexts();
    expect(await s.run('LCS', 'k1', 'k2', 'IDX', 'LEN')).toBe(
      '-ERR If you want both the length and indexes, please just use IDX.',
    );
    expect(await s.run('LCS', 'k1', 'k2', 'MINMATCHLEN')).toBe('-ERR syntax error');
    expect(await s.run('LCS', 'k1', 'k2', 'MINMATCHLEN', 'x')).toBe(
      '-ERR value is not an integer or out of range',
    );
    expect(await s.run('LCS', 'k1', 'k2', 'FOO')).toBe('-ERR syntax error');
  });

  it('refuses a table larger than proto-max-bulk-len, as Redis sizes it', async () => {
    const s = session({ config: { 'proto-max-bulk-len': String(1024 * 1024) } });
    await s.run('SET', 'a', 'x'.repeat(600));
    expect(await s.run('LCS', 'a', 'a', 'LEN')).toBe(
      '-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
    );
  });

  it('gives up when the command deadline passes or the client goes away', async () => {
    const s = session();
    await s.run('SET', 'a', 'ab'.repeat(400));
    const ctx = s.t.server.context(s.client, null, s.t.clock.now() - 1);
    const argv = ['LCS', 'a', 'a'].map((x) => Buffer.from(x));
    expect(await s.t.server.execute(ctx, argv)).toMatchObject({ message: 'ERR command deadline exceeded' });
    const aborted = new AbortController();
    aborted.abort();
    const ctx2 = s.t.server.context(s.client, aborted.signal, 0);
    expect(await s.t.server.execute(ctx2, argv)).toMatchObject({ message: 'ERR command cancelled' });
  });
});
