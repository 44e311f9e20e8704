import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.js';

const m = (p: string, s: string, nocase = false) => globMatch(Buffer.from(p), Buffer.from(s), nocase);

describe('globMatch (Redis stringmatchlen)', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['user:*:name', 'user:42:name', true],
    ['user:*:name', 'user:42:age', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
  ])('%s ~ %s = %s', (p, s, want) => {
    expect(m(p, s)).toBe(want);
  });

  it('matches case-insensitively on request', () => {
    expect(m('MAX*', 'maxmemory', true)).toBe(true);
    expect(m('MAX*', 'maxmemory')).toBe(false);
  });

  it('gives up on pathological patterns instead of hanging', () => {
    const p = `${'*a'.repeat(30)}b`;
    const t0 = Date.now();
    expect(m(p, 'a'.repeat(40))).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
