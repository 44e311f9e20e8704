/**
 * Differential steps for the hash family: HSET HSETNX HMSET HGET HMGET HGETALL HDEL HLEN
 * HEXISTS HKEYS HVALS HINCRBY HINCRBYFLOAT HSTRLEN HRANDFIELD HSCAN, over a few keys that
 * collide (one holds a set and one a string, for WRONGTYPE), with fields and values that cross
 * the listpack limits by count and by length.
 *
 * Where Redis's order is undefined (a hashtable-encoded hash lists its fields in dict order)
 * replies are compared unordered, as field/value pairs where they come in pairs; a listpack
 * hash is compared byte for byte. HRANDFIELD is random: both replies must have the same shape
 * and length, every field must exist with its value, positive counts must be distinct, and a
 * count covering the hash must return it all (byte for byte for a listpack).
 */
import { floatArg, INT_EDGES, intArg, type Rng } from '../random.js';
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

const HASH_KEYS = ['h1', 'h2', 'h3'].map(b);
const SET_KEY = b('hs-set');
const STRING_KEY = b('hs-str');

const FIELDS = ['a', 'b', 'c', 'd', 'e', 'f', 'n1', 'n2', '1', '2', '-3', 'x:1', 'x:2', 'y', ''];

function field(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [20, () => b(rng.pick(FIELDS))],
    [2, () => b(`fld${rng.int(40)}`)],
    [1, () => b('k'.repeat(rng.range(60, 70)))],
    [1, () => b('bin\x00\xff')],
  ])();
}

function value(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [6, () => b(rng.pick(['v', 'hello', '0', '1', '-1', '10', '3.5', 'x'.repeat(9)]))],
    [4, () => b(intArg(rng))],
    [2, () => b(floatArg(rng))],
    [1, () => b('w'.repeat(rng.range(60, 70)))],
    [1, () => rng.bytes(rng.range(0, 12))],
    [1, () => Buffer.alloc(0)],
  ])();
}

function key(rng: Rng): Buffer {
  return rng.weighted([
    [12, rng.pick(HASH_KEYS)],
    [1, SET_KEY],
    [1, STRING_KEY],
  ]);
}

const compact = (g: GenState, k: Buffer) => g.encodings.get(k.toString('latin1')) === 'listpack';
const step = (argv: Buffer[], keys: Buffer[], extra: Partial<Step> = {}): Step => ({ argv, keys, ...extra });
const hashKeys = (ks: Buffer[]) => ks.filter((k) => HASH_KEYS.some((h) => h.equals(k)));

function hset(g: GenState, cmd: string): Step {
  const k = key(g.rng);
  const args: Buffer[] = [];
  // Now and then enough fields at once to cross the default 128-entry limit.
  const n = g.rng.chance(0.03) ? g.rng.range(120, 140) : g.rng.range(1, 4);
  for (let i = 0; i < n; i++) args.push(n > 10 ? b(`bulk${g.rng.int(200)}`) : field(g.rng), value(g.rng));
  if (g.rng.chance(0.05)) args.pop();
  return step([b(cmd), k, ...args], hashKeys([k]));
}

/** The hash's field -> value from a HGETALL reply (flat in RESP2, a map in RESP3). */
function contents(pre: Node | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (pre === undefined || !('items' in pre)) return m;
  for (let i = 0; i + 1 < pre.items.length; i += 2) {
    const f = pre.items[i];
    const v = pre.items[i + 1];
    if (f.t === 'bulk' && v.t === 'bulk') m.set(f.b.toString('latin1'), v.b.toString('latin1'));
  }
  return m;
}

const text = (n: Node): string | null => (n.t === 'bulk' ? n.b.toString('latin1') : null);

/** HRANDFIELD's reply as [field, value | null] pairs, or a reason it is malformed. */
function picks(n: Node, withValues: boolean, resp: 2 | 3): Array<[string, string | null]> | string {
  if (n.t !== 'array') return `not an array (${n.t})`;
  const out: Array<[string, string | null]> = [];
  if (!withValues) {
    for (const it of n.items) {
      const f = text(it);
      if (f === null) return 'non-bulk item';
      out.push([f, null]);
    }
    return out;
  }
  if (resp === 3) {
    for (const it of n.items) {
      if (it.t !== 'array' || it.items.length !== 2) return 'RESP3 WITHVALUES item is not a pair';
      const [f, v] = it.items.map(text);
      if (f === null || v === null) return 'non-bulk pair';
      out.push([f, v]);
    }
    return out;
  }
  if (n.items.length % 2 !== 0) return 'odd flat WITHVALUES reply';
  for (let i = 0; i < n.items.length; i += 2) {
    const f = text(n.items[i]);
    const v = text(n.items[i + 1]);
    if (f === null || v === null) return 'non-bulk item';
    out.push([f, v]);
  }
  return out;
}

function hrandCheck(count: bigint | null, withValues: boolean, isCompact: boolean): Check {
  return (redis: Buffer, cairn: Buffer, ctx: CompareContext) => {
    if (redis.equals(cairn)) return null;
    const r = parseReply(redis);
    const c = parseReply(cairn);
    if (r.t === 'error' || c.t === 'error' || r.t !== c.t) return 'replies differ';
    const all = contents(ctx.pre[0]);
    if (count === null) {
      const f = text(c);
      return f !== null && all.has(f) ? null : 'random field is not in the hash';
    }
    const rp = picks(r, withValues, ctx.resp);
    const cp = picks(c, withValues, ctx.resp);
    if (typeof cp === 'string') return `cairn: ${cp}`;
    if (typeof rp === 'string') return `redis: ${rp}`;
    if (rp.length !== cp.length) return `${rp.length} / ${cp.length} fields`;
    for (const [f, v] of cp) {
      if (!all.has(f)) return `field ${JSON.stringify(f)} is not in the hash`;
      if (v !== null && all.get(f) !== v) return `field ${JSON.stringify(f)} has the wrong value`;
    }
    if (count > 0n && new Set(cp.map(([f]) => f)).size !== cp.length)
      return 'repeated fields for a positive count';
    if (count >= BigInt(all.size) && (isCompact || new Set(cp.map(([f]) => f)).size !== all.size))
      return 'a count covering the hash must return it all, in listpack order for a listpack';
    return null;
  };
}

function hrandfield(g: GenState): Step {
  const k = key(g.rng);
  const pre = [[b('hgetall'), k]];
  if (g.rng.chance(0.2))
    return step([b('hrandfield'), k], [], { pre, check: hrandCheck(null, false, false) });
  const count = g.rng.weighted<() => string>([
    [6, () => String(g.rng.range(-12, 12))],
    [1, () => String(g.rng.range(120, 200))],
    [1, () => g.rng.pick(['0', '-1', '1', 'x', '1.5', '-9223372036854775808', '4611686018427387904'])],
    [1, () => g.rng.pick(INT_EDGES.filter((e) => !/^-9\d{18}$/.test(e) && !/^-4\d{18}$/.test(e)))],
  ])();
  const words = g.rng.weighted<() => string[]>([
    [5, () => []],
    [5, () => ['WITHVALUES']],
    [1, () => [g.rng.pick(['withvalues', 'WITHVALUE', 'x'])]],
    [1, () => ['WITHVALUES', 'WITHVALUES']],
  ])();
  const n = /^-?\d+$/.test(count) ? BigInt(count) : 0n;
  const withValues = words.length > 0;
  // Redis really sends -count elements: keep big negative counts to those it refuses.
  const refused = n < -9223372036854775807n || (withValues && n < -4611686018427387903n);
  const safe = n < -1000n && !refused ? -7n : n;
  return step([b('hrandfield'), k, b(safe === n ? count : String(safe)), ...words.map(b)], [], {
    pre,
    check: hrandCheck(safe, withValues, compact(g, k)),
  });
}

function hscan(g: GenState): Step {
  const k = key(g.rng);
  const opts = g.rng.weighted<() => string[]>([
    [4, () => []],
    [4, () => ['COUNT', String(g.rng.range(1, 20))]],
    [3, () => ['MATCH', g.rng.pick(['*', 'a*', '?', 'fld1*', 'bulk*', '*1*', '[a-c]', 'nomatch'])]],
    [2, () => ['MATCH', g.rng.pick(['b*', 'fld*']), 'COUNT', String(g.rng.range(1, 300))]],
    [1, () => [g.rng.pick(['COUNT', 'MATCH', 'TYPE']), g.rng.pick(['0', '-1', 'x', 'string'])]],
    [1, () => ['COUNT']],
  ])();
  return step([b('hscan'), k, b('0'), ...opts.map(b)], [], { fullScan: true, exactScan: compact(g, k) });
}

/** Flat field/value replies of a hashtable-encoded hash come in dict order. */
const pairsCheck = (g: GenState, k: Buffer): Check | undefined => (compact(g, k) ? undefined : unordered(2));
const listCheck = (g: GenState, k: Buffer): Check | undefined => (compact(g, k) ? undefined : unordered(1));

export const hashFamily: Family = {
  name: 'hash',
  next(g: GenState): Step {
    const rng = g.rng;
    const make = rng.weighted<() => Step>([
      [10, () => hset(g, 'hset')],
      [2, () => hset(g, 'hmset')],
      [3, () => step([b('hsetnx'), key(rng), field(rng), value(rng)], HASH_KEYS)],
      [6, () => step([b('hget'), key(rng), field(rng)], [])],
      [3, () => step([b('hmget'), key(rng), field(rng), field(rng), field(rng)], [])],
      [
        4,
        () => {
          const k = key(rng);
          return step([b('hgetall'), k], [], { check: pairsCheck(g, k) });
        },
      ],
      [
        2,
        () => {
          const k = key(rng);
          return step([b(rng.pick(['hkeys', 'hvals'])), k], [], { check: listCheck(g, k) });
        },
      ],
      [
        5,
        () => {
          const k = key(rng);
          const fields = Array.from({ length: rng.range(1, 3) }, () => field(rng));
          return step([b('hdel'), k, ...fields], hashKeys([k]));
        },
      ],
      [3, () => step([b(rng.pick(['hlen', 'hexists', 'hstrlen'])), key(rng), field(rng)].slice(0, 3), [])],
      [
        5,
        () => {
          const k = key(rng);
          const f = rng.chance(0.6) ? b(rng.pick(['n1', 'n2', 'b'])) : field(rng);
          return step([b('hincrby'), k, f, b(intArg(rng))], hashKeys([k]));
        },
      ],
      [
        4,
        () => {
          const k = key(rng);
          const f = rng.chance(0.6) ? b(rng.pick(['n1', 'n2', 'a'])) : field(rng);
          return step([b('hincrbyfloat'), k, f, b(floatArg(rng))], hashKeys([k]));
        },
      ],
      [5, () => hrandfield(g)],
      [3, () => hscan(g)],
      [1, () => step([b('del'), rng.pick(HASH_KEYS)], HASH_KEYS)],
      [
        1,
        () =>
          rng.chance(0.5) ? step([b('sadd'), SET_KEY, b('m')], []) : step([b('set'), STRING_KEY, b('v')], []),
      ],
    ]);
    const s = make();
    // HLEN takes one argument: drop the field drawn for it.
    if (s.argv[0].toString() === 'hlen') s.argv.length = 2;
    return s;
  },
};
