/**
 * Sorted-set differential steps over several keys or with random answers: ZPOPMIN ZPOPMAX
 * ZMPOP, ZRANDMEMBER (compared by properties: see randCheck), ZUNION ZINTER ZDIFF and their
 * STORE forms, ZINTERCARD, and full ZSCANs.
 */
import { type Node, parseReply } from '../resp-client.js';
import { b, type Check, type CompareContext, type GenState, type Step } from './collection-runner.js';
import {
  bs,
  COUNTS,
  enc,
  HASH_KEY,
  LEX_KEY,
  SET_KEY,
  STRING_KEY,
  score,
  step,
  ZKEYS,
  zkey,
  zsetKeys,
} from './zset-keys.js';

export function pops(g: GenState): Step {
  const rng = g.rng;
  if (rng.chance(0.3)) {
    const keys = Array.from({ length: rng.range(1, 3) }, () => zkey(rng));
    const numkeys = rng.weighted<() => string>([
      [8, () => String(keys.length)],
      [1, () => rng.pick(['0', '-1', 'x', String(keys.length + 1)])],
    ])();
    const opts = [
      rng.weighted([
        [9, rng.pick(['MIN', 'MAX', 'min'])],
        [1, 'foo'],
      ] as const),
    ];
    if (rng.chance(0.5)) opts.push('COUNT', rng.pick(COUNTS));
    if (rng.chance(0.04)) opts.push(rng.pick(['COUNT', 'MIN']));
    return step([b('zmpop'), b(numkeys), ...keys, ...bs(opts)], zsetKeys(keys));
  }
  const k = zkey(rng);
  const count = rng.chance(0.5) ? [] : [rng.pick(COUNTS)];
  if (rng.chance(0.03)) count.push('1');
  return step([b(rng.pick(['zpopmin', 'zpopmax'])), k, ...bs(count)], zsetKeys([k]));
}

// ---- ZRANDMEMBER ---------------------------------------------------------------------------

/** [member, score text] pairs of a WITHSCORES reply, flat (RESP2) or nested (RESP3). */
function pairsOf(n: Node, withScores: boolean): Array<[string, string]> | null {
  if (n.t !== 'array') return null;
  const out: Array<[string, string]> = [];
  const text = (x: Node) => (x.t === 'bulk' ? x.b.toString('latin1') : x.t === 'double' ? x.s : null);
  if (!withScores) {
    for (const it of n.items) {
      const m = text(it);
      if (m === null) return null;
      out.push([m, '']);
    }
    return out;
  }
  const flat = n.items.every((it) => it.t !== 'array')
    ? n.items
    : n.items.flatMap((it) => (it.t === 'array' ? it.items : [it]));
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const m = text(flat[i]);
    const s = text(flat[i + 1]);
    if (m === null || s === null) return null;
    out.push([m, s]);
  }
  return out;
}

function randCheck(count: bigint | null, withScores: boolean): Check {
  return (redis: Buffer, cairn: Buffer, ctx: CompareContext) => {
    if (redis.equals(cairn)) return null;
    const r = parseReply(redis);
    const c = parseReply(cairn);
    if (r.t === 'error' || c.t === 'error' || r.t !== c.t) return 'replies differ';
    const pre = ctx.pre[0];
    const all = new Map((pre !== undefined && pairsOf(pre, true)) || []);
    if (count === null) {
      const m = c.t === 'bulk' ? c.b.toString('latin1') : null;
      return m !== null && all.has(m) ? null : 'random member is not in the set';
    }
    const rp = pairsOf(r, withScores);
    const cp = pairsOf(c, withScores);
    if (rp === null || cp === null) return 'not a member list';
    if (rp.length !== cp.length) return `${rp.length} / ${cp.length} members`;
    if (ctx.resp === 3 && withScores && c.t === 'array' && c.items.some((it) => it.t !== 'array'))
      return 'RESP3 pairs expected';
    for (const [m, s] of cp) {
      if (!all.has(m)) return `member ${JSON.stringify(m)} is not in the set`;
      if (withScores && all.get(m) !== s) return `score of ${JSON.stringify(m)} is ${s}, not ${all.get(m)}`;
    }
    if (count > 0n && new Set(cp.map(([m]) => m)).size !== cp.length)
      return 'repeated members for a positive count';
    if (count >= BigInt(all.size)) return 'a count covering the set returns it whole, in order';
    return null;
  };
}

export function zrandmember(g: GenState): Step {
  const rng = g.rng;
  const k = zkey(rng);
  // Scores printed as the RESP2 reply prints them, so they compare with either protocol's text.
  const pre = [[b('zrange'), k, b('0'), b('-1'), b('WITHSCORES')]];
  if (rng.chance(0.2)) return step([b('zrandmember'), k], [], { pre, check: randCheck(null, false) });
  const withScores = rng.chance(0.5);
  // A huge negative count without WITHSCORES would have Redis build an endless reply.
  const huge = withScores ? ['4611686018427387904', '-4611686018427387904'] : ['4611686018427387904'];
  const count = rng.pick([...COUNTS, '-20', ...huge]);
  const extra = withScores ? [rng.chance(0.95) ? 'WITHSCORES' : 'withscore'] : [];
  const n = /^-?\d+$/.test(count) ? BigInt(count) : 0n;
  return step([b('zrandmember'), k, b(count), ...bs(extra)], [], { pre, check: randCheck(n, withScores) });
}

// ---- algebra -------------------------------------------------------------------------------

export function algebra(g: GenState): Step {
  const rng = g.rng;
  const op = rng.pick(['zunion', 'zinter', 'zdiff']);
  const sources = Array.from({ length: rng.range(1, 4) }, () =>
    rng.weighted([
      [12, rng.pick(ZKEYS)],
      [2, SET_KEY],
      [1, LEX_KEY],
      [1, rng.pick([HASH_KEY, STRING_KEY, b('nokey')])],
    ]),
  );
  const numkeys = rng.weighted<() => string>([
    [12, () => String(sources.length)],
    [1, () => rng.pick(['0', '-1', 'x', String(sources.length + 1), '9223372036854775807'])],
  ])();
  const opts: string[] = [];
  if (op !== 'zdiff' || rng.chance(0.05)) {
    if (rng.chance(0.4))
      opts.push(
        'WEIGHTS',
        ...sources.map(() =>
          rng.pick(['1', '2', '-1', '0', '0.5', 'inf', '-inf', '1e308', 'x'].concat(score(rng))),
        ),
      );
    if (rng.chance(0.4)) opts.push('AGGREGATE', rng.pick(['SUM', 'MIN', 'MAX', 'sum', 'max', 'avg']));
  }
  const store = rng.chance(0.35);
  if (!store && rng.chance(0.5)) opts.push('WITHSCORES');
  if (rng.chance(0.03)) opts.push(rng.pick(['WEIGHTS', 'AGGREGATE', 'WITHSCORES', 'LIMIT']));
  if (store) {
    const dst = rng.pick(ZKEYS);
    return step([b(`${op}store`), dst, b(numkeys), ...sources, ...bs(opts)], zsetKeys([dst]));
  }
  return step([b(op), b(numkeys), ...sources, ...bs(opts)], []);
}

export function zintercard(g: GenState): Step {
  const rng = g.rng;
  const keys = Array.from({ length: rng.range(1, 3) }, () => (rng.chance(0.85) ? zkey(rng) : SET_KEY));
  const numkeys = rng.chance(0.9) ? String(keys.length) : rng.pick(['0', '-1', 'x', String(keys.length + 1)]);
  const opts = rng.weighted<() => string[]>([
    [4, () => []],
    [3, () => ['LIMIT', String(rng.range(0, 5))]],
    [1, () => ['LIMIT', rng.pick(['-1', 'x', '9223372036854775807'])]],
    [1, () => [rng.pick(['LIMIT', 'WITHSCORES', 'WEIGHTS'])]],
  ])();
  return step([b('zintercard'), b(numkeys), ...keys, ...bs(opts)], []);
}

export function zscan(g: GenState): Step {
  const rng = g.rng;
  const k = rng.chance(0.9) ? zkey(rng) : LEX_KEY;
  const opts = rng.weighted<() => string[]>([
    [4, () => []],
    [4, () => ['COUNT', String(rng.range(1, 30))]],
    [3, () => ['MATCH', rng.pick(['*', 'a*', '?', '*b*', 'bulk1*', '[a-c]', 'nomatch', 'w1?'])]],
    [1, () => [rng.pick(['COUNT', 'MATCH', 'TYPE']), rng.pick(['0', '-1', 'x', 'zset'])]],
  ])();
  return step([b('zscan'), k, b('0'), ...bs(opts)], [], {
    fullScan: true,
    exactScan: enc(g, k) === 'listpack',
  });
}
