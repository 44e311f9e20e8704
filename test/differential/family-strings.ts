/**
 * The string family: GET SET (every option) SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET
 * MSETNX APPEND STRLEN GETRANGE SUBSTR SETRANGE INCR DECR INCRBY DECRBY INCRBYFLOAT LCS, with
 * binary and long values, int64 and float edges, and invalid options.
 */
import { expiryMode } from './expiry-args.js';
import type { Model } from './model.js';
import { floatArg, INT_EDGES, intArg, randomText, valueArg } from './random.js';
import type { Node } from './resp-client.js';
import { type CommandFamily, exact, type GenContext, type Observer, type Step } from './step.js';

function set(g: GenContext): Step {
  const key = g.key();
  const words: string[] = [];
  let past = false;
  const n = g.rng.weighted([
    [4, 0],
    [4, 1],
    [2, 2],
    [1, 3],
  ]);
  for (let i = 0; i < n; i++) {
    const opt = g.rng.weighted<() => string[]>([
      [2, () => ['NX']],
      [2, () => ['XX']],
      [2, () => ['GET']],
      [1, () => ['KEEPTTL']],
      [
        5,
        () => {
          const e = g.expiry.setOption();
          past ||= e.past;
          return e.words;
        },
      ],
      [1, () => [g.rng.pick(['PERSIST', 'nx\x00x', 'foo', 'EX'])]],
    ])();
    words.push(...opt);
  }
  // Redis keeps a key set with a past EXAT/PXAT until something touches it (Cairn deletes it
  // at once): touch it, so DBSIZE agrees afterwards.
  if (past) g.enqueue(exact('exists', key));
  return exact('set', key, valueArg(g.rng), ...words);
}

function getex(g: GenContext): Step {
  const words = g.rng.weighted<() => string[]>([
    [2, () => []],
    [4, () => g.expiry.setOption().words],
    [2, () => ['PERSIST']],
    [1, () => [...g.expiry.setOption().words, 'PERSIST']],
    [1, () => [g.rng.pick(['NX', 'KEEPTTL', 'GET', 'EX', 'persist\x00'])]],
    [1, () => [...g.expiry.setOption().words, ...g.expiry.setOption().words]],
  ])();
  return exact('getex', g.key(), ...words);
}

function lcs(g: GenContext): Step {
  const opts: string[] = [];
  const n = g.rng.range(0, 3);
  for (let i = 0; i < n; i++) {
    opts.push(
      ...g.rng.weighted<() => string[]>([
        [3, () => ['IDX']],
        [3, () => ['LEN']],
        [3, () => ['WITHMATCHLEN']],
        [3, () => ['MINMATCHLEN', g.rng.pick(['0', '1', '2', '3', '5', '-1', 'abc', '9223372036854775807'])]],
        [1, () => [g.rng.pick(['MINMATCHLEN', 'foo'])]],
      ])(),
    );
  }
  return exact('lcs', g.key(), g.key(), ...opts);
}

const pairs = (g: GenContext) => g.keys(1, 3).flatMap((k) => [k, valueArg(g.rng)]);

// ---- observers ---------------------------------------------------------------------------

const isOne = (r: Node) => r.t === 'int' && r.v === 1n;
const hasGet = (argv: readonly Buffer[]) =>
  argv.slice(3).some((a) => a.toString('latin1').toLowerCase() === 'get');

/** A write that replaces the value (encoding from the bytes alone) and keeps its TTL state. */
const freshValue: Observer = (m, argv) => m.freshValue(m.db, argv[1]);
/** A write that replaces the value and drops any TTL. */
const freshNoTtl = (m: Model, key: Buffer) => {
  m.freshValue(m.db, key);
  m.exactTtl(m.db, key);
};
const markHistory: Observer = (m, argv) => m.markHistory(m.db, argv[1]);

/** SET and GETEX: what the expiry options did, once we know (or not) that the write happened. */
function applyExpiry(m: Model, argv: readonly Buffer[], happened: boolean | null, windowMs: number): void {
  const key = argv[1];
  const isSet = argv[0].toString('latin1').toLowerCase() === 'set';
  const mode = expiryMode(argv, isSet ? 3 : 2);
  if (mode === 'relative') {
    if (happened) m.relativeTtl(m.db, key, windowMs);
    else if (happened === null) m.maybeRelativeTtl(m.db, key, windowMs);
  } else if (happened && (mode === 'absolute' || mode === 'persist' || (mode === 'none' && isSet))) {
    // SET without an expiry drops the TTL; GETEX without one leaves it; KEEPTTL keeps it.
    m.exactTtl(m.db, key);
  }
}

export const stringsFamily: CommandFamily = {
  name: 'strings',
  commands: [
    [8, (g) => exact('get', g.key())],
    [12, set],
    [2, (g) => exact('setnx', g.key(), valueArg(g.rng))],
    [2, (g) => exact('setex', g.key(), g.expiry.value('relS'), valueArg(g.rng))],
    [2, (g) => exact('psetex', g.key(), g.expiry.value('relMs'), valueArg(g.rng))],
    [2, (g) => exact('getset', g.key(), valueArg(g.rng))],
    [2, (g) => exact('getdel', g.key())],
    [4, getex],
    [3, (g) => exact('mget', ...g.keys(1, 5))],
    [2, (g) => exact('mset', ...pairs(g))],
    [2, (g) => exact('msetnx', ...pairs(g))],
    [3, (g) => exact('append', g.key(), valueArg(g.rng))],
    [2, (g) => exact('strlen', g.key())],
    [3, (g) => exact(g.rng.pick(['getrange', 'substr']), g.key(), intArg(g.rng), intArg(g.rng))],
    [1, (g) => exact('getrange', g.key(), String(g.rng.range(-10, 10)), String(g.rng.range(-10, 10)))],
    [2, (g) => exact('setrange', g.key(), String(g.rng.range(0, 80)), valueArg(g.rng))],
    [
      1,
      (g) => exact('setrange', g.key(), g.rng.pick(['-1', 'abc', '536870912', '9223372036854775807']), 'x'),
    ],
    [4, (g) => exact(g.rng.pick(['incr', 'decr']), g.key())],
    [4, (g) => exact(g.rng.pick(['incrby', 'decrby']), g.key(), intArg(g.rng))],
    [0.5, (g) => exact('incrby', g.key(), g.rng.pick(INT_EDGES))],
    [4, (g) => exact('incrbyfloat', g.key(), floatArg(g.rng))],
    [1, (g) => exact('set', g.key(), randomText(g.rng, g.rng.range(0, 40)))],
    [3, lcs],
  ],
  observers: {
    set(m, argv, reply, windowMs) {
      // OK: written; null without GET: NX/XX refused; with GET the reply is the old value.
      const happened = reply.t === 'simple' ? true : hasGet(argv) ? null : false;
      if (happened) m.freshValue(m.db, argv[1]);
      applyExpiry(m, argv, happened, windowMs);
    },
    getex(m, argv, reply, windowMs) {
      if (reply.t !== 'null') applyExpiry(m, argv, true, windowMs);
    },
    setnx(m, argv, reply) {
      if (isOne(reply)) freshNoTtl(m, argv[1]);
    },
    setex(m, argv, _reply, windowMs) {
      m.freshValue(m.db, argv[1]);
      m.relativeTtl(m.db, argv[1], windowMs);
    },
    psetex(m, argv, _reply, windowMs) {
      m.freshValue(m.db, argv[1]);
      m.relativeTtl(m.db, argv[1], windowMs);
    },
    getset: (m, argv) => freshNoTtl(m, argv[1]),
    getdel: (m, argv) => m.forget(m.db, argv[1]),
    mset(m, argv) {
      for (let i = 1; i < argv.length; i += 2) freshNoTtl(m, argv[i]);
    },
    msetnx(m, argv, reply) {
      if (isOne(reply)) for (let i = 1; i < argv.length; i += 2) freshNoTtl(m, argv[i]);
    },
    append: markHistory,
    setrange: markHistory,
    incrbyfloat: markHistory,
    incr: freshValue,
    decr: freshValue,
    incrby: freshValue,
    decrby: freshValue,
  },
};
