import { describe, expect, it } from 'vitest';
import { createCommandTable } from '../../commands/index.js';
import { HTTP_EXCLUDED, HttpExclusions } from './excluded.js';

const table = createCommandTable();
const ex = new HttpExclusions(table);
const argv = (...a: string[]) => a.map((s) => Buffer.from(s));

describe('HTTP exclusions', () => {
  it('name only commands of the table', () => {
    const names = new Set([...table.all()].map((e) => e.fullName));
    for (const name of Object.keys(HTTP_EXCLUDED)) expect(names, name).toContain(name);
  });

  it('cover every command flagged nohttp', () => {
    for (const e of table.all())
      if (e.spec.flags.includes('nohttp')) expect(ex.byName.has(e.fullName)).toBe(true);
  });

  it('refuse case-insensitively, by subcommand, and allow SELECT in a batch', () => {
    expect(ex.check(argv('MuLtI'), false)?.message).toMatch(/^ERR 'multi' is not available over HTTP/);
    expect(ex.check(argv('client', 'REPLY', 'off'), false)?.message).toMatch(/'client reply'/);
    expect(ex.check(argv('client', 'list'), false)).toBeNull();
    expect(ex.check(argv('get', 'k'), false)).toBeNull();
    expect(ex.check(argv('select', '1'), false)).not.toBeNull();
    expect(ex.check(argv('select', '1'), true)).toBeNull();
    expect(ex.check(argv('multi'), true)).not.toBeNull();
  });
});
