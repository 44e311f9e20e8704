/**
 * Differential steps for the set family: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS
 * SRANDMEMBER SPOP SMOVE SINTER SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE
 * SSCAN, over a few colliding keys (one holds a hash and one a string, for WRONGTYPE), with
 * members that are canonical integers (intset), almost-integers and strings (hashtable), and
 * bulk adds that cross the intset limit.
 *
 * Orders Redis leaves undefined are compared unordered: a hashtable set's members, and SINTER
 * unless every input is an intset. SUNION/SDIFF/SPOP-all reply from a new set, which is an
 * intset (numeric order, compared byte for byte) when every member is an integer and there
 * are few enough. SRANDMEMBER and SPOP are random: same shape and length, members that exist,
 * distinct for positive counts, and after SPOP Cairn's set is brought back to Redis's (the
 * members each popped are exchanged) so the two stay comparable.
 */
import { isInt64String } from '../../../src/engine/values/set.js';
import { INT_EDGES, type Rng } from '../random.js';
import { type Node, parseReply } from '../resp-client.js';
import {
  b,
  type Check,
  type CompareContext,
  type Family,
  type GenState,
  type Step,
  unordered,
} from './collection-runner.js';

const SET_KEYS = ['s1', 's2', 's3', 's4'].map(b);
const HASH_KEY = b('ss-hash');
const STRING_KEY = b('ss-str');

const MEMBERS = ['0', '1', '2', '3', '5', '8', '13', '-1', '-21', '100', 'a', 'b', 'c', 'x:1', ''];

function member(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [20, () => b(rng.pick(MEMBERS))],
    [4, () => b(String(rng.range(-50, 50)))],
    [2, () => b(rng.pick(INT_EDGES))],
    [1, () => b('m'.repeat(rng.range(60, 70)))],
    [1, () => b('bin\x00\xff')],
  ])();
}

function key(rng: Rng): Buffer {
  return rng.weighted([
    [14, rng.pick(SET_KEYS)],
    [1, HASH_KEY],
    [1, STRING_KEY],
  ]);
}

const enc = (g: GenState, k: Buffer) => g.encodings.get(k.toString('latin1'));
const step = (argv: Buffer[], keys: Buffer[], extra: Partial<Step> = {}): Step => ({ argv, keys, ...extra });
const setKeys = (ks: Buffer[]) => ks.filter((k) => SET_KEYS.some((s) => s.equals(k)));

const text = (n: Node): string | null => (n.t === 'bulk' ? n.b.toString('latin1') : null);

function memberList(n: Node | undefined): string[] | null {
  if (n === undefined || !('items' in n)) return null;
  const out: string[] = [];
  for (const it of n.items) {
    const t = text(it);
    if (t === null) return null;
    out.push(t);
  }
  return out;
}

/**
 * Replies listed from a new result set (SUNION, SDIFF, SPOP of all): byte for byte when Redis's
 * result is intset-shaped (all integers, within the limit), else unordered.
 */
function resultSetCheck(g: GenState): Check {
  const limit = g.limits['set-max-intset-entries'];
  return (redis, cairn, ctx) => {
    if (redis.equals(cairn)) return null;
    const items = memberList(parseReply(redis));
    if (items?.every(isInt64String) && items.length <= limit) return 'intset result differs';
    return unordered(1)(redis, cairn, ctx);
  };
}

const PROBE_KEY = b('ss-probe');

/**
 * SDIFF's result set may stay a hashtable although it ends all-integer and small (Redis's
 * second algorithm first copies the whole first set): the same SDIFFSTORE into a scratch key
 * on Redis tells which, then only an intset result is compared byte for byte.
 */
function sdiffCheck(sources: Buffer[]): Pick<Step, 'pre' | 'check'> {
  return {
    pre: [
      [b('sdiffstore'), PROBE_KEY, ...sources],
      [b('object'), b('encoding'), PROBE_KEY],
      [b('del'), PROBE_KEY],
    ],
    check: (redis, cairn, ctx) => {
      if (redis.equals(cairn)) return null;
      const probe = ctx.pre[1];
      if (probe?.t === 'bulk' && probe.b.toString() === 'intset') return 'intset result differs';
      return unordered(1)(redis, cairn, ctx);
    },
  };
}

function addOrRemove(g: GenState, cmd: 'sadd' | 'srem'): Step {
  const k = key(g.rng);
  let members: Buffer[];
  if (cmd === 'sadd' && g.rng.chance(0.03)) {
    // Enough integers (or strings) at once to cross the default 512-entry intset limit.
    const strings = g.rng.chance(0.3);
    members = Array.from({ length: g.rng.range(500, 530) }, (_, i) =>
      b(strings ? `e${i}` : String(i * 3 - 40)),
    );
  } else members = Array.from({ length: g.rng.range(1, 4) }, () => member(g.rng));
  return step([b(cmd), k, ...members], setKeys([k]));
}

function randomCheck(
  count: bigint | null,
  distinct: boolean,
  whole: 'exact' | 'result' | 'any',
  g: GenState,
): Check {
  return (redis: Buffer, cairn: Buffer, ctx: CompareContext) => {
    if (redis.equals(cairn)) return null;
    const r = parseReply(redis);
    const c = parseReply(cairn);
    if (r.t === 'error' || c.t === 'error' || r.t !== c.t) return 'replies differ';
    const all = new Set(memberList(ctx.pre[0]) ?? []);
    if (count === null) {
      const m = text(c);
      return m !== null && all.has(m) ? null : 'random member is not in the set';
    }
    const rm = memberList(r);
    const cm = memberList(c);
    if (rm === null || cm === null) return 'not a list of members';
    if (rm.length !== cm.length) return `${rm.length} / ${cm.length} members`;
    for (const m of cm) if (!all.has(m)) return `member ${JSON.stringify(m)} is not in the set`;
    if (distinct && new Set(cm).size !== cm.length) return 'repeated members for a positive count';
    if (count >= BigInt(all.size)) {
      if (whole === 'exact') return 'a count covering an intset must list it in order';
      if (whole === 'result') return resultSetCheck(g)(redis, cairn, ctx);
      if (new Set(cm).size !== all.size) return 'a count covering the set must return it all';
    }
    return null;
  };
}

function countArg(rng: Rng): string {
  return rng.weighted<() => string>([
    [6, () => String(rng.range(-8, 8))],
    [1, () => String(rng.range(20, 600))],
    [1, () => rng.pick(['0', '1', '-1', 'x', '1.5', '-9223372036854775808', '9223372036854775807', ''])],
  ])();
}

function srandmember(g: GenState): Step {
  const k = key(g.rng);
  const pre = [[b('smembers'), k]];
  if (g.rng.chance(0.2))
    return step([b('srandmember'), k], [], { pre, check: randomCheck(null, false, 'any', g) });
  const count = countArg(g.rng);
  const extra = g.rng.chance(0.05) ? [b('1')] : [];
  const n = /^-?\d+$/.test(count) ? BigInt(count) : 0n;
  const whole = enc(g, k) === 'intset' ? 'exact' : 'any';
  return step([b('srandmember'), k, b(count), ...extra], [], {
    pre,
    check: randomCheck(n, n > 0n, whole, g),
  });
}

/**
 * Cairn popped `c`, Redis `r`. When few members remain, Redis moved them to a new set (whose
 * encoding depends on which ones stayed): Cairn's set is rebuilt from Redis's rest the same
 * way. Otherwise both changed the set in place: Cairn puts its own back and removes Redis's.
 */
function spopResync(key: Buffer, count: number | null): (r: Node, c: Node, pre: Node[]) => Buffer[][] {
  return (r, c, pre) => {
    const rm = r.t === 'bulk' ? [text(r) as string] : (memberList(r) ?? []);
    const cm = c.t === 'bulk' ? [text(c) as string] : (memberList(c) ?? []);
    const same = rm.length === cm.length && [...rm].sort().every((m, i) => m === [...cm].sort()[i]);
    if (same || cm.length === 0) return [];
    const before = memberList(pre[0]) ?? [];
    const rest = before.filter((m) => !rm.includes(m));
    if (count !== null && (before.length - count) * 5 <= count)
      return [
        [b('del'), key],
        [b('sadd'), key, ...rest.map(b)],
      ];
    return [
      [b('sadd'), key, ...cm.map(b)],
      [b('srem'), key, ...rm.map(b)],
    ];
  };
}

function spop(g: GenState): Step {
  const k = key(g.rng);
  const pre = [[b('smembers'), k]];
  if (g.rng.chance(0.3))
    return step([b('spop'), k], setKeys([k]), {
      pre,
      check: randomCheck(null, false, 'any', g),
      resync: spopResync(k, null),
    });
  const count = countArg(g.rng);
  const n = /^-?\d+$/.test(count) ? BigInt(count) : 0n;
  const resync = spopResync(k, Number(n));
  const extra = g.rng.chance(0.05) ? [b('1')] : [];
  return step([b('spop'), k, b(count), ...extra], setKeys([k]), {
    pre,
    check: randomCheck(n, true, 'result', g),
    resync,
  });
}

function algebra(g: GenState): Step {
  const rng = g.rng;
  const op = rng.pick(['sinter', 'sunion', 'sdiff']);
  const sources = Array.from({ length: rng.range(1, 3) }, () => key(rng));
  if (rng.chance(0.35)) {
    const dst = rng.chance(0.2) ? rng.pick(sources) : key(rng);
    return step([b(`${op}store`), dst, ...sources], setKeys([dst]));
  }
  if (op === 'sdiff') return step([b(op), ...sources], [], sdiffCheck(sources));
  let check: Check | undefined;
  if (op === 'sunion') check = resultSetCheck(g);
  // SINTER lists the smallest set's members in its order: numeric only when all are intsets.
  else if (!sources.every((k) => enc(g, k) === 'intset')) check = unordered(1);
  return step([b(op), ...sources], [], { check });
}

function sintercard(g: GenState): Step {
  const rng = g.rng;
  const keys = Array.from({ length: rng.range(1, 3) }, () => key(rng));
  const numkeys = rng.weighted<() => string>([
    [8, () => String(keys.length)],
    [1, () => rng.pick(['0', '-1', 'x', String(keys.length + 1), '9223372036854775807'])],
  ])();
  const opts = rng.weighted<() => string[]>([
    [4, () => []],
    [3, () => ['LIMIT', String(rng.range(0, 5))]],
    [1, () => ['LIMIT', rng.pick(['-1', 'x', '9223372036854775807'])]],
    [1, () => [rng.pick(['LIMIT', 'foo'])]],
    [1, () => ['limit', '1', 'LIMIT', '2']],
  ])();
  return step([b('sintercard'), b(numkeys), ...keys, ...opts.map(b)], []);
}

function sscan(g: GenState): Step {
  const k = key(g.rng);
  const opts = g.rng.weighted<() => string[]>([
    [4, () => []],
    [4, () => ['COUNT', String(g.rng.range(1, 30))]],
    [3, () => ['MATCH', g.rng.pick(['*', '1*', '?', '*1*', 'e1*', '-*', '[a-c]', 'nomatch'])]],
    [1, () => [g.rng.pick(['COUNT', 'MATCH', 'TYPE']), g.rng.pick(['0', '-1', 'x', 'set'])]],
  ])();
  const compact = enc(g, k) === 'intset';
  return step([b('sscan'), k, b('0'), ...opts.map(b)], [], { fullScan: true, exactScan: compact });
}

export const setFamily: Family = {
  name: 'set',
  next(g: GenState): Step {
    const rng = g.rng;
    return rng.weighted<() => Step>([
      [12, () => addOrRemove(g, 'sadd')],
      [6, () => addOrRemove(g, 'srem')],
      [3, () => step([b('scard'), key(rng)], [])],
      [4, () => step([b('sismember'), key(rng), member(rng)], [])],
      [3, () => step([b('smismember'), key(rng), member(rng), member(rng), member(rng)], [])],
      [
        4,
        () => {
          const k = key(rng);
          return step([b('smembers'), k], [], { check: enc(g, k) === 'intset' ? undefined : unordered(1) });
        },
      ],
      [4, () => srandmember(g)],
      [4, () => spop(g)],
      [
        4,
        () => {
          const src = key(rng);
          const dst = rng.chance(0.15) ? src : key(rng);
          return step([b('smove'), src, dst, member(rng)], setKeys([src, dst]));
        },
      ],
      [8, () => algebra(g)],
      [3, () => sintercard(g)],
      [3, () => sscan(g)],
      [1, () => step([b('del'), rng.pick(SET_KEYS)], SET_KEYS)],
      [
        1,
        () =>
          rng.chance(0.5)
            ? step([b('hset'), HASH_KEY, b('f'), b('v')], [])
            : step([b('set'), STRING_KEY, b('v')], []),
      ],
    ])();
  },
};
