/**
 * The keyspace family: DEL UNLINK EXISTS TOUCH TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX COPY
 * MOVE DBSIZE FLUSHDB FLUSHALL SWAPDB SELECT OBJECT. Its observers carry the model's per-key
 * facts along when keys are deleted, renamed, copied, moved or whole databases swapped.
 */
import { PATTERNS } from './random.js';
import type { Node } from './resp-client.js';
import { b, type CommandFamily, DATABASES_USED, exact, type GenContext, type Step } from './step.js';

function scan(g: GenContext): Step {
  const opts: Buffer[] = [];
  const n = g.rng.range(0, 3);
  for (let i = 0; i < n; i++) {
    opts.push(
      ...g.rng.weighted<() => Buffer[]>([
        [3, () => [b('MATCH'), g.rng.pick(PATTERNS)]],
        [3, () => [b('COUNT'), b(g.rng.pick(['1', '2', '5', '10', '1000']))]],
        [2, () => [b('TYPE'), b(g.rng.pick(['string', 'STRING', 'list', 'none', 'hash']))]],
        [1, () => [b(g.rng.pick(['COUNT', 'MATCH', 'TYPE', 'foo']))]],
        [1, () => [b('COUNT'), b(g.rng.pick(['0', '-1', 'abc', '9223372036854775807']))]],
      ])(),
    );
  }
  const r = g.rng.next();
  if (r < 0.35) return { argv: [b('scan'), b('0'), ...opts], compare: 'exact', fullScan: 'static' };
  if (r < 0.7) return { argv: [b('scan'), b('0'), ...opts], compare: 'exact', fullScan: 'interleaved' };
  const cursor = g.rng.pick([
    '0',
    '',
    '+0',
    '-1',
    '1',
    '5',
    '17',
    '18446744073709551615',
    '18446744073709551616',
    ' 1',
    '0x1',
    'abc',
    '1\x00x',
  ]);
  return { argv: [b('scan'), b(cursor), ...opts], compare: 'scan-batch' };
}

function object(g: GenContext): Step {
  const sub = g.rng.weighted([
    [4, 'encoding'],
    [3, 'refcount'],
    [2, 'idletime'],
    [1, 'freq'],
    [1, 'help'],
    [1, 'foo'],
  ]);
  if (sub === 'help') return exact('object', g.rng.pick(['help', 'HELP']));
  const key = g.key();
  const step = exact('object', g.rng.chance(0.5) ? sub : sub.toUpperCase(), key);
  // Idle times follow each server's own LRU clock resolution.
  if (sub === 'idletime') step.compare = 'shape';
  if (
    (sub === 'encoding' || sub === 'refcount') &&
    (!g.modelCurrent || g.model.isHistoryDependent(g.model.db, key))
  ) {
    step.compare = 'shape';
  }
  return step;
}

function copy(g: GenContext): Step {
  const words: string[] = [];
  const n = g.rng.range(0, 2);
  for (let i = 0; i < n; i++) {
    words.push(
      ...g.rng.weighted<() => string[]>([
        [3, () => ['DB', g.dbArg()]],
        [3, () => ['REPLACE']],
        [1, () => [g.rng.pick(['DB', 'foo'])]],
      ])(),
    );
  }
  return exact('copy', g.key(), g.key(), ...words);
}

/** COPY's destination database, read as Redis reads the options (the last DB wins). */
function copyTarget(db: number, argv: readonly Buffer[]): number {
  let target = db;
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toString('latin1').toLowerCase() === 'db' && i + 1 < argv.length) {
      target = Number(argv[++i].toString('latin1'));
    }
  }
  return target;
}

const isOne = (r: Node) => r.t === 'int' && r.v === 1n;
const arg = (argv: readonly Buffer[], i: number) => argv[i].toString('latin1');

export const keysFamily: CommandFamily = {
  name: 'keys',
  commands: [
    [3, (g) => exact(g.rng.pick(['del', 'unlink']), ...g.keys(1, 3))],
    [3, (g) => exact(g.rng.pick(['exists', 'touch']), ...g.keys(1, 4))],
    [2, (g) => exact('type', g.key())],
    [2, (g) => ({ argv: [b('keys'), g.rng.pick(PATTERNS)], compare: 'key-set' })],
    [3, scan],
    [1, () => ({ argv: [b('randomkey')], compare: 'random-key' })],
    [3, (g) => exact(g.rng.pick(['rename', 'renamenx']), g.key(), g.key())],
    [2, copy],
    [2, (g) => exact('move', g.key(), g.dbArg())],
    [2, () => exact('dbsize')],
    [0.3, (g) => exact('flushdb', ...(g.rng.chance(0.5) ? [] : [g.rng.pick(['ASYNC', 'sync', 'foo'])]))],
    [0.1, (g) => exact('flushall', ...(g.rng.chance(0.5) ? [] : [g.rng.pick(['ASYNC', 'SYNC', 'x'])]))],
    [1, (g) => exact('swapdb', g.dbArg(), g.dbArg())],
    // (SELECT 2147483648 is left out: Redis and Cairn word that error apart.)
    [
      1,
      (g) =>
        exact(
          'select',
          g.rng.chance(0.9) ? String(g.rng.int(DATABASES_USED)) : g.rng.pick(['16', '-1', 'abc']),
        ),
    ],
    [3, object],
  ],
  observers: {
    del(m, argv) {
      for (let i = 1; i < argv.length; i++) m.forget(m.db, argv[i]);
    },
    unlink(m, argv) {
      for (let i = 1; i < argv.length; i++) m.forget(m.db, argv[i]);
    },
    rename: (m, argv) => m.transfer(m.db, argv[1], m.db, argv[2], false),
    renamenx(m, argv, reply) {
      if (isOne(reply)) m.transfer(m.db, argv[1], m.db, argv[2], false);
    },
    copy(m, argv, reply) {
      if (!isOne(reply)) return;
      const to = copyTarget(m.db, argv);
      m.transfer(m.db, argv[1], to, argv[2], true);
      // Redis's COPY unshares small integers: the copy's REFCOUNT/ENCODING depend on history.
      m.markHistory(to, argv[2]);
    },
    move(m, argv, reply) {
      if (isOne(reply)) m.transfer(m.db, argv[1], Number(arg(argv, 2)), argv[1], false);
    },
    swapdb: (m, argv) => m.swap(Number(arg(argv, 1)), Number(arg(argv, 2))),
    flushdb: (m) => m.flush(m.db),
    flushall: (m) => m.flushAll(),
    select(m, argv) {
      m.db = Number(arg(argv, 1));
    },
  },
};
