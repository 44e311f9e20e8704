import { describe, expect, it } from 'vitest';
import { globMatch } from '../../util/glob.js';
import { prefixGlob } from './scan.js';

const B = (s: string) => Buffer.from(s);

describe('prefixGlob', () => {
  it('escapes glob characters and appends a star', () => {
    expect(prefixGlob(B('a*b?[c]\\')).toString()).toBe('a\\*b\\?\\[c\\]\\\\*');
    expect(prefixGlob(new Uint8Array()).toString()).toBe('*');
  });

  it('matches exactly the keys that start with the prefix', () => {
    const prefixes = ['user:', 'a*', '[x]', 'q?', '\\', '', 'é'].map(B);
    const keys = ['user:1', 'user', 'a*b', 'ab', '[x]1', 'x1', 'q?z', 'qaz', '\\n', 'n', 'é!', 'e'].map(B);
    for (const p of prefixes) {
      for (const k of keys) {
        expect(globMatch(prefixGlob(p), k), `${p} ~ ${k}`).toBe(k.subarray(0, p.length).equals(p));
      }
    }
    const binary = Buffer.from([0x2a, 0x00, 0xff]);
    expect(globMatch(prefixGlob(binary), Buffer.from([0x2a, 0x00, 0xff, 1]))).toBe(true);
    expect(globMatch(prefixGlob(binary), Buffer.from([0x2b, 0x00, 0xff, 1]))).toBe(false);
  });
});
