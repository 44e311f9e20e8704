/**
 * Differential steps for the sorted-set family: every ZSET command but the blocking ones, over
 * a few colliding keys (plus a set, a hash and a string for mixed inputs and WRONGTYPE), with
 * scores that exercise Redis's float parsing and %.17g printing (0.1, -0, inf, ties such as
 * 2^-25, overflow to inf in sums), members that cross the listpack value limit, and bulk adds
 * that cross the entries limit.
 *
 * Replies are compared byte for byte except for ZRANDMEMBER, whose picks are random (same
 * length, members that exist with their scores, distinct for a positive count; a count
 * covering the set is deterministic and exact), and ZSCAN of a skiplist (cursors and batch
 * order are Redis's hashtable's: the full scans must return the same members and scores).
 *
 * Lex ranges are only asked of sets where Redis's answer is defined: the `zl` key, which only
 * ever holds score 0, and listpack-encoded keys (a linear walk, which Cairn reproduces even
 * for mixed scores). A lex range over mixed scores in a skiplist depends on the node levels
 * Redis drew at random, so it is never generated.
 */
import { INT_EDGES, type Rng } from '../random.js';
import { b, type Family, type GenState, type Step } from './collection-runner.js';
import {
  ALL_ZSETS,
  bs,
  HASH_KEY,
  LEX_ENDS,
  LEX_KEY,
  lexKey,
  member,
  OFFSETS,
  RANGE_ENDS,
  SET_KEY,
  STRING_KEY,
  score,
  step,
  ZKEYS,
  zkey,
  zsetKeys,
} from './zset-keys.js';
import { algebra, pops, zintercard, zrandmember, zscan } from './zset-multi.js';

function zaddOptions(rng: Rng): string[] {
  const opts: string[] = [];
  for (const o of ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'])
    if (rng.chance(0.12)) opts.push(rng.chance(0.5) ? o : o.toLowerCase());
  for (let i = opts.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [opts[i], opts[j]] = [opts[j], opts[i]];
  }
  return opts;
}

function zadd(g: GenState): Step {
  const rng = g.rng;
  const k = zkey(rng);
  if (rng.chance(0.03)) {
    // Enough members at once to cross the default 128-entry listpack limit.
    const n = rng.range(125, 140);
    const args: string[] = [];
    for (let i = 0; i < n; i++) args.push(String(rng.range(-50, 50)), `bulk${i}`);
    return step([b('zadd'), k, ...bs(args)], zsetKeys([k]));
  }
  const pairs: Buffer[] = [];
  const n = rng.chance(0.8) ? rng.range(1, 3) : rng.range(4, 8);
  for (let i = 0; i < n; i++) pairs.push(b(score(rng)), member(rng));
  if (rng.chance(0.03)) pairs.pop();
  return step([b('zadd'), k, ...bs(zaddOptions(rng)), ...pairs], zsetKeys([k]));
}

/** ZADD / ZREM / ZREMRANGEBYLEX on the lex key: score 0 only. */
function lexWrite(g: GenState): Step {
  const rng = g.rng;
  const k = LEX_KEY;
  return rng.weighted<() => Step>([
    [
      6,
      () => {
        const opts = rng.chance(0.2) ? [rng.pick(['NX', 'XX', 'CH', 'GT', 'LT'])] : [];
        const members = Array.from({ length: rng.range(1, 4) }, () => member(rng));
        return step(
          [b('zadd'), k, ...bs(opts), ...members.flatMap((m) => [b(rng.pick(['0', '-0'])), m])],
          [k],
        );
      },
    ],
    [
      1,
      () => {
        const n = rng.range(125, 135);
        return step([b('zadd'), k, ...Array.from({ length: n }, (_, i) => [b('0'), b(`w${i}`)]).flat()], [k]);
      },
    ],
    [2, () => step([b('zrem'), k, member(rng), member(rng)], [k])],
    [1, () => step([b('zremrangebylex'), k, b(rng.pick(LEX_ENDS)), b(rng.pick(LEX_ENDS))], [k])],
  ])();
}

function rangeArgs(g: GenState, kind: 'rank' | 'score' | 'lex'): string[] {
  const rng = g.rng;
  if (kind === 'rank')
    return [String(rng.range(-12, 12)), String(rng.range(-12, 12))].map((x) =>
      rng.chance(0.03) ? rng.pick(['x', '1.5', '9223372036854775807', '-9223372036854775808']) : x,
    );
  if (kind === 'score') return [rng.pick(RANGE_ENDS), rng.pick(RANGE_ENDS)];
  return [rng.pick(LEX_ENDS), rng.pick(LEX_ENDS)];
}

function limitOpt(rng: Rng): string[] {
  return rng.chance(0.3) ? ['LIMIT', rng.pick(OFFSETS), rng.pick([...OFFSETS, '3', '-1'])] : [];
}

/** ZRANGE with any options (sometimes conflicting), or one of its older spellings. */
function zrange(g: GenState): Step {
  const rng = g.rng;
  const kind = rng.pick(['rank', 'score', 'lex'] as const);
  const k = kind === 'lex' ? lexKey(g) : zkey(rng);
  const args = rangeArgs(g, kind);
  const legacy = rng.chance(0.4);
  if (legacy) {
    const rev = rng.chance(0.5);
    const name = kind === 'rank' ? (rev ? 'zrevrange' : 'zrange') : `z${rev ? 'rev' : ''}rangeby${kind}`;
    const opts = [
      ...(kind !== 'lex' && rng.chance(0.4) ? ['WITHSCORES'] : []),
      ...(kind !== 'rank' ? limitOpt(rng) : []),
    ];
    if (rng.chance(0.05)) opts.push(rng.pick(['REV', 'BYSCORE', 'WITHSCORES', 'LIMIT']));
    return step([b(name), k, ...bs(args), ...bs(opts)], []);
  }
  // Option groups in any order (LIMIT keeps its two numbers).
  const groups: string[][] = [];
  if (kind !== 'rank' || rng.chance(0.05)) groups.push([kind === 'lex' ? 'BYLEX' : 'BYSCORE']);
  if (rng.chance(0.4)) groups.push(['REV']);
  if (rng.chance(kind === 'lex' ? 0.05 : 0.4)) groups.push(['WITHSCORES']);
  if (kind !== 'rank' || rng.chance(0.05)) groups.push(limitOpt(rng));
  if (rng.chance(0.04)) groups.push([rng.pick(['REV', 'BYLEX', 'BYSCORE', 'LIMIT', 'foo'])]);
  for (let i = groups.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  const opts = groups.flat();
  return step([b('zrange'), k, ...bs(args), ...bs(opts)], []);
}

function zrangestore(g: GenState): Step {
  const rng = g.rng;
  const kind = rng.pick(['rank', 'score', 'lex'] as const);
  const src = kind === 'lex' ? lexKey(g) : zkey(rng);
  const dst = rng.chance(0.15) && ZKEYS.some((z) => z.equals(src)) ? src : rng.pick(ZKEYS);
  const opts: string[] = [];
  if (kind !== 'rank') opts.push(kind === 'lex' ? 'BYLEX' : 'BYSCORE');
  if (rng.chance(0.3)) opts.push('REV');
  if (kind !== 'rank') opts.push(...limitOpt(rng));
  if (rng.chance(0.03)) opts.push('WITHSCORES');
  return step([b('zrangestore'), dst, src, ...bs(rangeArgs(g, kind)), ...bs(opts)], zsetKeys([dst]));
}

function zremrange(g: GenState): Step {
  const rng = g.rng;
  const kind = rng.pick(['rank', 'score', 'lex'] as const);
  const k = kind === 'lex' ? lexKey(g) : zkey(rng);
  if (k.equals(LEX_KEY) && kind !== 'lex') return lexWrite(g);
  return step([b(`zremrangeby${kind}`), k, ...bs(rangeArgs(g, kind))], zsetKeys([k]));
}

function reads(g: GenState): Step {
  const rng = g.rng;
  const k = rng.chance(0.85) ? zkey(rng) : LEX_KEY;
  return rng.weighted<() => Step>([
    [2, () => step([b('zcard'), k], [])],
    [4, () => step([b('zscore'), k, member(rng)], [])],
    [2, () => step([b('zmscore'), k, member(rng), member(rng), member(rng)], [])],
    [3, () => step([b(rng.pick(['zrank', 'zrevrank'])), k, member(rng)], [])],
    [3, () => step([b('zcount'), k, ...bs(rangeArgs(g, 'score'))], [])],
    [3, () => step([b('zlexcount'), lexKey(g), ...bs(rangeArgs(g, 'lex'))], [])],
  ])();
}

/**
 * Steps each run begins with: the keys of other types exist from the start and are never
 * deleted or overwritten, so they never turn into sorted sets of unknown encoding.
 */
const SETUP: Step[] = [
  step([b('hset'), HASH_KEY, b('f'), b('v')], []),
  step([b('set'), STRING_KEY, b('v')], []),
  step([b('sadd'), SET_KEY, b('a'), b('b'), b('1')], []),
];
const setupDone = new WeakMap<GenState, number>();

export const zsetFamily: Family = {
  name: 'zset',
  next(g: GenState): Step {
    const done = setupDone.get(g) ?? 0;
    if (done < SETUP.length) {
      setupDone.set(g, done + 1);
      return SETUP[done];
    }
    const rng = g.rng;
    return rng.weighted<() => Step>([
      [14, () => zadd(g)],
      [5, () => lexWrite(g)],
      [
        3,
        () => {
          const k = zkey(rng);
          return step([b('zincrby'), k, b(score(rng)), member(rng)], zsetKeys([k]));
        },
      ],
      [
        5,
        () => {
          const k = zkey(rng);
          return step(
            [b('zrem'), k, ...Array.from({ length: rng.range(1, 4) }, () => member(rng))],
            zsetKeys([k]),
          );
        },
      ],
      [12, () => reads(g)],
      [12, () => zrange(g)],
      [3, () => zrangestore(g)],
      [4, () => zremrange(g)],
      [5, () => pops(g)],
      [4, () => zrandmember(g)],
      [8, () => algebra(g)],
      [2, () => zintercard(g)],
      [3, () => zscan(g)],
      [1, () => step([b('del'), rng.pick(ALL_ZSETS)], ALL_ZSETS)],
      [
        1,
        () =>
          rng.weighted<() => Step>([
            [
              3,
              () =>
                step([b('sadd'), SET_KEY, ...Array.from({ length: rng.range(1, 4) }, () => member(rng))], []),
            ],
            [1, () => step([b('sadd'), SET_KEY, b(rng.pick(INT_EDGES.slice(0, 10)))], [])],
          ])(),
      ],
    ])();
  },
};
