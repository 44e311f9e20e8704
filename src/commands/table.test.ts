/**
 * Guards the command table: every command and subcommand carries the metadata COMMAND INFO,
 * COMMAND DOCS and the dispatcher rely on, and the flags agree with each other. A new command
 * that forgets its summary, declares impossible key positions or an unreadable synopsis fails
 * here, not in a client.
 */
import { describe, expect, it } from 'vitest';
import { createTestServer } from '../server/testing.js';
import { parseSyntax } from './families/syntax-args.js';
import { createCommandTable } from './index.js';
import type { CommandGroup, CommandSpec } from './spec.js';

const GROUPS: readonly CommandGroup[] = [
  'string',
  'generic',
  'connection',
  'server',
  'cluster',
  'transactions',
  'hash',
  'list',
  'set',
  'sorted-set',
  'geo',
  'stream',
  'bitmap',
  'hyperloglog',
  'pubsub',
  'scripting',
];
/** Lower case; Redis's own names have dashes and underscores (EVAL_RO, FCALL_RO). */
const NAME_RE = /^[a-z][a-z0-9_-]*$/;
const VERSION_RE = /^\d+\.\d+\.\d+$/;
/**
 * Commands that name keys without reading or writing them. Redis flags WATCH neither readonly
 * nor write: it only records the keys. The shard-channel commands declare their channels in key
 * positions (`not_key` key-specs, for cluster routing).
 */
const KEYED_WITHOUT_ACCESS = new Set(['watch', 'ssubscribe', 'sunsubscribe', 'spublish']);

const table = createCommandTable();

interface Row {
  fullName: string;
  spec: CommandSpec;
  container: boolean;
}

function rows(): Row[] {
  const out: Row[] = [];
  for (const spec of table.specs.values()) {
    out.push({ fullName: spec.name, spec, container: spec.subcommands !== undefined });
    for (const sub of spec.subcommands ?? [])
      out.push({ fullName: `${spec.name}|${sub.name}`, spec: sub, container: false });
  }
  return out;
}

/** Each row's problems, so one failure lists every offending command at once. */
function problems(check: (r: Row) => string | null): string[] {
  return rows()
    .map((r) => {
      const p = check(r);
      return p === null ? null : `${r.fullName}: ${p}`;
    })
    .filter((p): p is string => p !== null);
}

describe('the command table', () => {
  it('has at least the connection and server families', () => {
    for (const name of ['ping', 'hello', 'client', 'command', 'config', 'info'])
      expect(table.specs.has(name)).toBe(true);
  });

  it('names every command once, in lower case', () => {
    expect(
      problems((r) => (NAME_RE.test(r.spec.name) ? null : 'name must be lower-case [a-z0-9_-]')),
    ).toEqual([]);
    const names = rows().map((r) => r.fullName);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('documents every command: summary, since, group', () => {
    expect(
      problems(({ spec }) => {
        if (spec.summary.trim() === '') return 'no summary';
        if (!VERSION_RE.test(spec.since)) return `since '${spec.since}' is not x.y.z`;
        if (!GROUPS.includes(spec.group)) return `unknown group '${spec.group}'`;
        return null;
      }),
    ).toEqual([]);
  });

  it('gives every synopsis a form COMMAND DOCS can parse', () => {
    expect(
      problems(({ spec }) =>
        spec.syntax !== undefined && parseSyntax(spec.syntax) === null
          ? `syntax '${spec.syntax}' does not parse`
          : null,
      ),
    ).toEqual([]);
  });

  it('gives every command an arity and a handler, every container subcommands and HELP', () => {
    expect(
      problems(({ spec, container }) => {
        if (!Number.isInteger(spec.arity) || spec.arity === 0) return 'arity must be a non-zero integer';
        if (!container) return spec.handler === undefined ? 'no handler' : null;
        if ((spec.subcommands ?? []).length === 0) return 'container without subcommands';
        if (!spec.subcommands?.some((s) => s.name === 'help')) return 'container without a HELP subcommand';
        // A container runs bare only when it has its own handler (COMMAND); otherwise Redis's -2.
        if (spec.handler === undefined && spec.arity !== -2)
          return 'a container without a handler has arity -2';
        if (spec.handler !== undefined && spec.arity !== -1) return 'a container with a handler has arity -1';
        return null;
      }),
    ).toEqual([]);
    expect(
      problems(({ spec }) =>
        spec.subcommands?.some((s) => s.subcommands !== undefined) ? 'subcommands cannot nest' : null,
      ),
    ).toEqual([]);
  });

  it('keeps flags consistent', () => {
    expect(
      problems(({ spec, fullName }) => {
        const has = (f: string) => spec.flags.includes(f as never);
        if (has('write') && has('readonly')) return 'both write and readonly';
        if (has('denyoom') && !has('write')) return 'denyoom without write';
        if (has('no-multi') && has('no-queue')) return 'both no-multi and no-queue';
        if (new Set(spec.flags).size !== spec.flags.length) return 'repeated flag';
        if (spec.firstKey > 0 && !has('write') && !has('readonly') && !KEYED_WITHOUT_ACCESS.has(fullName))
          return 'has keys but is neither write nor readonly';
        return null;
      }),
    ).toEqual([]);
  });

  it('declares key positions that fit the arity', () => {
    expect(
      problems(({ spec }) => {
        const { firstKey, lastKey, step, arity } = spec;
        if (!Number.isInteger(firstKey) || firstKey < 0) return 'firstKey must be >= 0';
        if (firstKey === 0) return lastKey === 0 && step === 0 ? null : 'no keys, but lastKey/step set';
        if (step < 1) return 'step must be >= 1 when there are keys';
        if (lastKey >= 0 && lastKey < firstKey) return 'lastKey before firstKey';
        if (arity > 0 && (firstKey >= arity || lastKey >= arity)) return 'key position beyond the arity';
        if (arity < 0 && firstKey >= -arity && lastKey >= 0) return 'first key may be missing';
        return null;
      }),
    ).toEqual([]);
  });

  it('COMMAND COUNT equals the number of commands in the table', async () => {
    const t = createTestServer();
    try {
      expect(await t.run(t.client(), 'COMMAND', 'COUNT')).toBe(table.specs.size);
    } finally {
      t.close();
    }
  });
});
