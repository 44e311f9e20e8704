import { describe, expect, it } from 'vitest';
import { createCommandTable } from '../../commands/index.js';
import { GRPC_EXCLUDED, GrpcExclusions } from './excluded.js';

const table = createCommandTable();
const fullNames = new Set([...table.all()].map((e) => e.fullName));
const B = (s: string) => Buffer.from(s);

describe('gRPC exclusions', () => {
  it('names only commands that exist in the table', () => {
    for (const name of Object.keys(GRPC_EXCLUDED)) expect(fullNames, name).toContain(name);
  });

  it('covers every spec flagged nogrpc', () => {
    const ex = new GrpcExclusions(table);
    for (const e of table.all())
      if (e.spec.flags.includes('nogrpc')) expect(ex.byName.has(e.fullName)).toBe(true);
  });

  it('refuses listed commands and subcommands, case-insensitively, and lets the rest run', () => {
    const ex = new GrpcExclusions(table);
    expect(ex.check([B('MuLtI')])?.message).toMatch(/^ERR 'multi' is not available over gRPC: /);
    expect(ex.check([B('client'), B('SETNAME'), B('x')])?.message).toMatch(/^ERR 'client setname' is not/);
    expect(ex.check([B('get'), B('k')])).toBeNull();
    expect(ex.check([B('client'), B('list')])).toBeNull();
  });
});
