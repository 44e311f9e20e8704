/**
 * Differential steps for streams: XADD (options, trimming, explicit and partial IDs) XRANGE
 * XREVRANGE XLEN XDEL XTRIM XREAD XSETID XINFO and the consumer-group commands
 * (stream-groups-gen.ts), over a few stream keys, a string key (WRONGTYPE) and a missing one.
 *
 * IDs are explicit (`ms-seq`, `ms`, `ms-*`), from a per-key counter that mostly climbs, so
 * both servers make the same IDs. `*` is used only on `xfut`, whose IDs start far in the
 * future: there `*` continues the top ID's sequence, which is deterministic. Values vary in
 * length and in whether they read as integers, so node boundaries by bytes (as Redis's
 * listpacks fill) are exercised under the small thresholds; approximate trims then show
 * whether Cairn's nodes end where Redis's do.
 *
 * Replies are compared byte for byte, except idle and delivery times (stream-compare.ts).
 */
import type { Rng } from '../random.js';
import { b, type Family, type GenState, type Step } from './collection-runner.js';
import { timesClose } from './stream-compare.js';
import { groupStep } from './stream-groups-gen.js';

export const STREAM_KEYS = ['x1', 'x2', 'x3'].map(b);
export const FUTURE_KEY = b('xfut');
const STRING_KEY = b('xs-str');
const MISSING_KEY = b('xnew');
/** The future key's IDs start here (year 2255): `*` never reaches the clock's time. */
const FUTURE_MS = 9_000_000_000_000;

export interface RunState {
  setup: number;
  /** Highest ms the generator has used per key (latin1). */
  ms: Map<string, number>;
}

const runs = new WeakMap<GenState, RunState>();

export function stateOf(g: GenState): RunState {
  let st = runs.get(g);
  if (st === undefined) {
    st = { setup: 0, ms: new Map() };
    runs.set(g, st);
  }
  return st;
}

const FIELDS = ['a', 'b', 'c', 'name', '1', ''];
const VALUES = ['v', '1', '-7', '12', '4095', '4096', '1234567', '-99999999999', '3.5', 'hello world'];

function value(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [10, () => b(rng.pick(VALUES))],
    [2, () => b('x'.repeat(rng.pick([60, 63, 64, 65, 130])))],
    [1, () => b('y'.repeat(rng.range(200, 700)))],
    [1, () => rng.bytes(rng.range(0, 8))],
  ])();
}

export function streamKey(rng: Rng): Buffer {
  return rng.weighted([
    [14, rng.pick(STREAM_KEYS)],
    [3, FUTURE_KEY],
    [1, STRING_KEY],
    [1, MISSING_KEY],
  ]);
}

/** An ID near what `key` holds: mostly below its top, sometimes above. */
export function someId(g: GenState, key: Buffer): string {
  const top = stateOf(g).ms.get(key.toString('latin1')) ?? 0;
  const base = key.equals(FUTURE_KEY) ? FUTURE_MS : 0;
  const ms = base + Math.max(0, g.rng.range(top - base - 15, top - base + 2));
  return g.rng.weighted<() => string>([
    [6, () => `${ms}-${g.rng.int(3)}`],
    [2, () => `${ms}`],
    [1, () => `${ms}-18446744073709551615`],
  ])();
}

/** A range end: `-`, `+`, an ID, an exclusive one, or something invalid. */
export function rangeEnd(g: GenState, key: Buffer): string {
  return g.rng.weighted<() => string>([
    [3, () => '-'],
    [3, () => '+'],
    [8, () => someId(g, key)],
    [3, () => `(${someId(g, key)}`],
    [1, () => g.rng.pick(['(-', '(+', '(', 'x', '1-x', '18446744073709551616', ' 5', '(0-0'])],
  ])();
}

function fields(rng: Rng): Buffer[] {
  const out: Buffer[] = [];
  // Often the same field names, so entries share their node's master fields.
  const same = rng.chance(0.6);
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) out.push(b(same ? ['a', 'b', 'c'][i] : rng.pick(FIELDS)), value(rng));
  if (rng.chance(0.03)) out.pop();
  return out;
}

function trimArgs(g: GenState, key: Buffer, xtrim: boolean): string[] {
  const rng = g.rng;
  const out: string[] = [];
  const minid = rng.chance(0.35);
  out.push(minid ? 'MINID' : rng.pick(['MAXLEN', 'maxlen']));
  const approx = rng.weighted([
    [4, ''],
    [2, '='],
    [5, '~'],
  ]);
  if (approx !== '') out.push(approx);
  out.push(
    minid
      ? someId(g, key)
      : String(
          rng.weighted([
            [10, rng.int(25)],
            [1, -1],
            [1, 1000],
          ]),
        ),
  );
  if (rng.chance(0.3))
    out.push(
      'LIMIT',
      String(
        rng.weighted([
          [8, rng.int(20)],
          [1, -3],
        ]),
      ),
    );
  if (xtrim && rng.chance(0.03)) out.push(rng.pick(['MINID', 'foo', 'LIMIT']));
  return out;
}

function xadd(g: GenState): Step {
  const rng = g.rng;
  const key = streamKey(rng);
  const name = key.toString('latin1');
  const st = stateOf(g);
  const args: Array<string | Buffer> = ['XADD', key];
  if (rng.chance(0.08)) args.push('NOMKSTREAM');
  if (rng.chance(0.35)) args.push(...trimArgs(g, key, false));
  if (key.equals(FUTURE_KEY)) {
    args.push(rng.chance(0.8) ? '*' : `${(st.ms.get(name) ?? FUTURE_MS) + rng.int(2)}-*`);
  } else {
    const top = st.ms.get(name) ?? 0;
    const ms = rng.chance(0.08) ? Math.max(0, top - rng.int(3)) : top + rng.int(3);
    st.ms.set(name, Math.max(top, ms));
    args.push(
      rng.weighted<() => string>([
        [8, () => `${ms}-${rng.int(4)}`],
        [3, () => `${ms}-*`],
        [2, () => `${ms}`],
        [1, () => rng.pick(['0-0', '0', 'abc', '1-', '+', '-', '18446744073709551616-0', '*-1', '5-**'])],
      ])(),
    );
  }
  args.push(...fields(rng));
  return step(args, [key]);
}

function xrange(g: GenState): Step {
  const rng = g.rng;
  const key = streamKey(rng);
  const rev = rng.chance(0.4);
  const args: string[] = [
    rev ? 'XREVRANGE' : 'XRANGE',
    key.toString('latin1'),
    rangeEnd(g, key),
    rangeEnd(g, key),
  ];
  if (rng.chance(0.4)) args.push('COUNT', rng.pick(['0', '1', '2', '5', '-1', 'x']));
  if (rng.chance(0.02)) args.push('EXTRA');
  return step(args, [key]);
}

function xdel(g: GenState): Step {
  const key = streamKey(g.rng);
  const ids: string[] = [];
  for (let i = g.rng.range(1, 4); i > 0; i--) ids.push(g.rng.chance(0.03) ? '-' : someId(g, key));
  return step(['XDEL', key.toString('latin1'), ...ids], [key]);
}

function xtrim(g: GenState): Step {
  const key = streamKey(g.rng);
  return step(['XTRIM', key.toString('latin1'), ...trimArgs(g, key, true)], [key]);
}

function xread(g: GenState): Step {
  const rng = g.rng;
  const keys = [streamKey(rng)];
  if (rng.chance(0.3)) keys.push(streamKey(rng));
  const args: string[] = ['XREAD'];
  if (rng.chance(0.4)) args.push('COUNT', rng.pick(['1', '2', '0', '-2']));
  args.push('STREAMS', ...keys.map((k) => k.toString('latin1')));
  for (const k of keys)
    args.push(
      rng.weighted<() => string>([
        [4, () => someId(g, k)],
        [2, () => '0'],
        [2, () => '$'],
        [1, () => '>'],
      ])(),
    );
  if (rng.chance(0.02)) args.pop();
  return step(args, keys);
}

function xsetid(g: GenState): Step {
  const rng = g.rng;
  // Never on the future key: its top ID must stay ahead of the clock.
  const key = rng.pick([...STREAM_KEYS, STRING_KEY, MISSING_KEY]);
  // No `ms-18446744073709551615` top: after one, Redis's reply to XADD `ms-*` depends on a
  // stale errno (it says either "equal or smaller" or "too large").
  const args: string[] = [
    'XSETID',
    key.toString('latin1'),
    someId(g, key).replace(/-18446744073709551615$/, '-5'),
  ];
  if (rng.chance(0.3)) args.push('ENTRIESADDED', String(rng.pick([0, 3, 50, 1000, -1])));
  if (rng.chance(0.3)) args.push('MAXDELETEDID', someId(g, key));
  if (rng.chance(0.02)) args.push('BOGUS');
  return step(args, [key]);
}

function xinfoStream(g: GenState): Step {
  const key = streamKey(g.rng);
  const args: string[] = ['XINFO', 'STREAM', key.toString('latin1')];
  if (g.rng.chance(0.5)) {
    args.push('FULL');
    if (g.rng.chance(0.5)) args.push('COUNT', g.rng.pick(['0', '1', '3', '-1']));
  } else if (g.rng.chance(0.03)) args.push('PARTIAL');
  return step(args, [key], true);
}

function del(g: GenState): Step {
  const key = g.rng.pick(STREAM_KEYS);
  stateOf(g).ms.delete(key.toString('latin1'));
  return step(['DEL', key.toString('latin1')], [key]);
}

export function step(args: Array<string | Buffer>, keys: Buffer[], timed = false): Step {
  const argv = args.map((a) => (typeof a === 'string' ? b(a) : a));
  const ks = keys.filter((k) => !k.equals(STRING_KEY));
  return timed ? { argv, keys: ks, check: timesClose } : { argv, keys: ks };
}

export const streamFamily: Family = {
  name: 'stream',
  next(g: GenState): Step {
    const st = stateOf(g);
    if (st.setup === 0) {
      st.setup++;
      return step(['SET', STRING_KEY, 'hello'], []);
    }
    if (st.setup === 1) {
      st.setup++;
      st.ms.set(FUTURE_KEY.toString('latin1'), FUTURE_MS);
      return step(['XADD', FUTURE_KEY, `${FUTURE_MS}-0`, 'a', '1'], [FUTURE_KEY]);
    }
    return g.rng.weighted<(g: GenState) => Step>([
      [30, xadd],
      [8, xrange],
      [3, (x) => step(['XLEN', streamKey(x.rng)], [])],
      [5, xdel],
      [6, xtrim],
      [5, xread],
      [2, xsetid],
      [4, xinfoStream],
      [1, del],
      [30, groupStep],
    ])(g);
  },
};
