/**
 * Seeded random command sequences for the differential test: every string, key and expiry
 * command with valid and invalid options, wrong arities, binary keys and values, int64 edges
 * and long TTLs. Each step says how its replies are compared (see compare.ts); everything is
 * compared byte for byte except what is truly nondeterministic between two servers.
 */
import { Model } from './model.js';
import { floatArg, INT_EDGES, intArg, KEYS, PATTERNS, type Rng, randomText, valueArg } from './random.js';
import type { Node } from './resp-client.js';

export type Compare =
  /** Byte for byte. */
  | 'exact'
  /** Integers >= 0 within a tolerance (relative TTLs start at slightly different instants). */
  | 'ttl-s'
  | 'ttl-ms'
  /** An array compared as a set (KEYS: order is the server's hash order). */
  | 'key-set'
  /** RANDOMKEY: both null or both a key. */
  | 'random-key'
  /** The same kind of reply (errors byte for byte): idle times, arbitrary cursors. */
  | 'shape'
  /** Not compared (HELLO names the server). */
  | 'ignore';

export interface Step {
  argv: Buffer[];
  compare: Compare;
  /** Run a whole SCAN iteration with these options (after the cursor) and compare key sets. */
  fullScan?: boolean;
  /** Steps to run next, chosen from Redis's reply to this one. */
  followUp?: (redisReply: Node) => Step[];
}

/** Relative TTLs from 1000 s to ~28 h: nothing expires while the test runs. */
const REL_MS_MIN = 1_000_000;
const REL_MS_MAX = 100_000_000;
/** Absolute times at least this far from now, so none crosses "now" during the run. */
const ABS_MARGIN_S = 1000;
const ABS_SPAN_S = 10_000_000;
const DATABASES_USED = 3;

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const exact = (...args: Array<string | Buffer>): Step => ({
  argv: args.map((a) => (typeof a === 'string' ? b(a) : a)),
  compare: 'exact',
});

/** Expiry arguments that only ever produce errors or ordinary times (never past 2^53 ms). */
const EDGES = {
  relS: [
    '0',
    '-1',
    '-100',
    '9223372036854775',
    '9223372036854776',
    '-9223372036854776',
    '-9223372036854775',
    'abc',
    '1.5',
    '',
  ],
  relMs: ['0', '-1', '9223372036854775807', '9223372036854775808', '-9223372036854775808', 'abc'],
  absS: ['0', '-1', '1', '9223372036854776', '-9223372036854776', 'abc'],
  absMs: ['0', '-1', '1', '9223372036854775808', 'abc'],
  /** SET/GETEX refuse <= 0 and overflow. */
  setEx: ['0', '-1', 'abc', '9223372036854775', '9223372036854776'],
  setPx: ['0', '-1', 'abc', '9223372036854775807'],
  setExat: ['0', '-5', 'abc', '9223372036854776'],
  setPxat: ['0', '-5', 'abc', '9223372036854775808'],
} as const;

export class Generator {
  readonly model = new Model();
  private readonly queue: Step[] = [];
  /** Relative amounts already used, in ms: two equal ones could tie in GT/LT on one server only. */
  private readonly usedRelMs = new Set<number>();

  constructor(
    private readonly rng: Rng,
    private readonly now: () => number = Date.now,
  ) {}

  next(): Step {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    const step = this.rng.weighted(this.table)();
    if (this.rng.chance(0.03)) return this.wrongArity(step);
    return step;
  }

  observe(step: Step, redisReply: Node): void {
    this.model.observe(step.argv, redisReply);
    if (step.followUp) this.queue.unshift(...step.followUp(redisReply));
  }

  // ---- argument helpers ------------------------------------------------------------------

  key(): Buffer {
    return this.rng.pick(KEYS);
  }

  keys(min: number, max: number): Buffer[] {
    return Array.from({ length: this.rng.range(min, max) }, () => this.key());
  }

  private relMs(): number {
    for (;;) {
      const ms = this.rng.range(REL_MS_MIN, REL_MS_MAX);
      if (!this.usedRelMs.has(ms)) {
        this.usedRelMs.add(ms);
        return ms;
      }
    }
  }

  private relS(): number {
    for (;;) {
      const s = this.rng.range(REL_MS_MIN / 1000, REL_MS_MAX / 1000);
      if (!this.usedRelMs.has(s * 1000)) {
        this.usedRelMs.add(s * 1000);
        return s;
      }
    }
  }

  /** Unix seconds well in the future, or (sometimes) well in the past. */
  private absS(past = this.rng.chance(0.2)): number {
    const nowS = Math.floor(this.now() / 1000);
    return past ? this.rng.range(1, nowS - ABS_MARGIN_S) : nowS + this.rng.range(ABS_MARGIN_S, ABS_SPAN_S);
  }

  private absMs(past = this.rng.chance(0.2)): number {
    return this.absS(past) * 1000 + this.rng.int(1000);
  }

  private expireValue(kind: 'relS' | 'relMs' | 'absS' | 'absMs'): string {
    if (this.rng.chance(0.15)) return this.rng.pick(EDGES[kind]);
    switch (kind) {
      case 'relS':
        return String(this.rng.chance(0.1) ? -this.relS() : this.relS());
      case 'relMs':
        return String(this.rng.chance(0.1) ? -this.relMs() : this.relMs());
      case 'absS':
        return String(this.absS());
      case 'absMs':
        return String(this.absMs());
    }
  }

  /** One of SET's expiry options with a value, tracking whether it lies in the past. */
  private setExpiry(): { words: string[]; past: boolean } {
    const which = this.rng.pick(['EX', 'PX', 'EXAT', 'PXAT'] as const);
    if (this.rng.chance(0.15)) {
      const edge = { EX: EDGES.setEx, PX: EDGES.setPx, EXAT: EDGES.setExat, PXAT: EDGES.setPxat }[which];
      return { words: [which, this.rng.pick(edge)], past: false };
    }
    const past = which.endsWith('AT') && this.rng.chance(0.2);
    const v = {
      EX: () => this.relS(),
      PX: () => this.relMs(),
      EXAT: () => this.absS(past),
      PXAT: () => this.absMs(past),
    }[which]();
    return { words: [which.toLowerCase(), String(v)], past };
  }

  // ---- steps -----------------------------------------------------------------------------

  private set(): Step {
    const key = this.key();
    const words: string[] = [];
    let past = false;
    const n = this.rng.weighted([
      [4, 0],
      [4, 1],
      [2, 2],
      [1, 3],
    ]);
    for (let i = 0; i < n; i++) {
      const opt = this.rng.weighted<() => string[]>([
        [2, () => ['NX']],
        [2, () => ['XX']],
        [2, () => ['GET']],
        [1, () => ['KEEPTTL']],
        [
          5,
          () => {
            const e = this.setExpiry();
            past ||= e.past;
            return e.words;
          },
        ],
        [1, () => [this.rng.pick(['PERSIST', 'nx\x00x', 'foo', 'EX'])]],
      ])();
      words.push(...opt);
    }
    const step = exact('set', key, valueArg(this.rng), ...words);
    // Redis keeps a key set with a past EXAT/PXAT until something touches it (Cairn deletes it
    // at once): touch it, so DBSIZE agrees afterwards.
    if (past) this.queue.push(exact('exists', key));
    return step;
  }

  private getex(): Step {
    const key = this.key();
    const words = this.rng.weighted<() => string[]>([
      [2, () => []],
      [4, () => this.setExpiry().words],
      [2, () => ['PERSIST']],
      [1, () => [...this.setExpiry().words, 'PERSIST']],
      [1, () => [this.rng.pick(['NX', 'KEEPTTL', 'GET', 'EX', 'persist\x00'])]],
      [1, () => [...this.setExpiry().words, ...this.setExpiry().words]],
    ])();
    return exact('getex', key, ...words);
  }

  private expire(): Step {
    const [cmd, kind] = this.rng.pick([
      ['expire', 'relS'],
      ['pexpire', 'relMs'],
      ['expireat', 'absS'],
      ['pexpireat', 'absMs'],
    ] as const);
    const conds: string[] = [];
    const n = this.rng.weighted([
      [5, 0],
      [4, 1],
      [1, 2],
    ]);
    for (let i = 0; i < n; i++)
      conds.push(this.rng.pick(['NX', 'XX', 'GT', 'LT', 'nx', 'gt', 'foo', 'nx\x00y']));
    const key = this.key();
    const step = exact(cmd, key, this.expireValue(kind), ...conds);
    // An absolute time is the same on both servers: once set, EXPIRETIME must match exactly.
    if (cmd.endsWith('at') && this.rng.chance(0.5)) {
      step.followUp = (r) =>
        r.t === 'int' && r.v === 1n ? [exact('expiretime', key), exact('pexpiretime', key)] : [];
    }
    return step;
  }

  private ttl(): Step {
    const cmd = this.rng.pick(['ttl', 'pttl', 'expiretime', 'pexpiretime']);
    return {
      argv: [b(cmd), this.key()],
      compare: cmd === 'ttl' || cmd === 'expiretime' ? 'ttl-s' : 'ttl-ms',
    };
  }

  private lcs(): Step {
    const opts: string[] = [];
    const n = this.rng.range(0, 3);
    for (let i = 0; i < n; i++) {
      opts.push(
        ...this.rng.weighted<() => string[]>([
          [3, () => ['IDX']],
          [3, () => ['LEN']],
          [3, () => ['WITHMATCHLEN']],
          [
            3,
            () => [
              'MINMATCHLEN',
              this.rng.pick(['0', '1', '2', '3', '5', '-1', 'abc', '9223372036854775807']),
            ],
          ],
          [1, () => [this.rng.pick(['MINMATCHLEN', 'foo'])]],
        ])(),
      );
    }
    return exact('lcs', this.key(), this.key(), ...opts);
  }

  private scan(): Step {
    const opts: Buffer[] = [];
    const n = this.rng.range(0, 3);
    for (let i = 0; i < n; i++) {
      opts.push(
        ...this.rng.weighted<() => Buffer[]>([
          [3, () => [b('MATCH'), this.rng.pick(PATTERNS)]],
          [3, () => [b('COUNT'), b(this.rng.pick(['1', '2', '5', '10', '1000']))]],
          [2, () => [b('TYPE'), b(this.rng.pick(['string', 'STRING', 'list', 'none', 'hash']))]],
          [1, () => [b(this.rng.pick(['COUNT', 'MATCH', 'TYPE', 'foo']))]],
          [1, () => [b('COUNT'), b(this.rng.pick(['0', '-1', 'abc', '9223372036854775807']))]],
        ])(),
      );
    }
    if (this.rng.chance(0.7)) return { argv: [b('scan'), b('0'), ...opts], compare: 'exact', fullScan: true };
    const cursor = this.rng.pick([
      '',
      '+0',
      '-1',
      '5',
      '18446744073709551615',
      '18446744073709551616',
      ' 1',
      '0x1',
      'abc',
      '1\x00x',
    ]);
    return { argv: [b('scan'), b(cursor), ...opts], compare: 'shape' };
  }

  private object(): Step {
    const sub = this.rng.weighted([
      [4, 'encoding'],
      [3, 'refcount'],
      [2, 'idletime'],
      [1, 'freq'],
      [1, 'help'],
      [1, 'foo'],
    ]);
    if (sub === 'help') return exact('object', this.rng.pick(['help', 'HELP']));
    const key = this.key();
    const step = exact('object', this.rng.chance(0.5) ? sub : sub.toUpperCase(), key);
    if (sub === 'idletime') step.compare = 'shape';
    if ((sub === 'encoding' || sub === 'refcount') && this.model.isHistoryDependent(this.model.db, key)) {
      step.compare = 'shape';
    }
    return step;
  }

  private db(): string {
    return this.rng.chance(0.9)
      ? String(this.rng.int(DATABASES_USED))
      : this.rng.pick(['16', '-1', 'abc', '2147483648', '']);
  }

  private copy(): Step {
    const words: string[] = [];
    const n = this.rng.range(0, 2);
    for (let i = 0; i < n; i++) {
      words.push(
        ...this.rng.weighted<() => string[]>([
          [3, () => ['DB', this.db()]],
          [3, () => ['REPLACE']],
          [1, () => [this.rng.pick(['DB', 'foo'])]],
        ])(),
      );
    }
    return exact('copy', this.key(), this.key(), ...words);
  }

  /** The same command with too few or too many arguments (not always wrong for variadics). */
  private wrongArity(step: Step): Step {
    const argv = step.argv;
    // A cut-down SCAN may still be a valid single SCAN, whose keys come in server order.
    const compare = step.fullScan ? 'shape' : step.compare;
    if (argv.length > 1 && this.rng.chance(0.6))
      return { argv: argv.slice(0, this.rng.range(1, argv.length - 1)), compare };
    return {
      argv: [...argv, ...Array.from({ length: this.rng.range(1, 3) }, () => b(intArg(this.rng)))],
      compare,
    };
  }

  private readonly table: ReadonlyArray<readonly [number, () => Step]> = [
    [8, () => exact('get', this.key())],
    [12, () => this.set()],
    [2, () => exact('setnx', this.key(), valueArg(this.rng))],
    [2, () => exact('setex', this.key(), this.expireValue('relS'), valueArg(this.rng))],
    [2, () => exact('psetex', this.key(), this.expireValue('relMs'), valueArg(this.rng))],
    [2, () => exact('getset', this.key(), valueArg(this.rng))],
    [2, () => exact('getdel', this.key())],
    [4, () => this.getex()],
    [3, () => exact('mget', ...this.keys(1, 5))],
    [2, () => exact('mset', ...this.keys(1, 3).flatMap((k) => [k, valueArg(this.rng)]))],
    [2, () => exact('msetnx', ...this.keys(1, 3).flatMap((k) => [k, valueArg(this.rng)]))],
    [3, () => exact('append', this.key(), valueArg(this.rng))],
    [2, () => exact('strlen', this.key())],
    [3, () => exact(this.rng.pick(['getrange', 'substr']), this.key(), intArg(this.rng), intArg(this.rng))],
    [
      1,
      () => exact('getrange', this.key(), String(this.rng.range(-10, 10)), String(this.rng.range(-10, 10))),
    ],
    [2, () => exact('setrange', this.key(), String(this.rng.range(0, 80)), valueArg(this.rng))],
    [
      1,
      () =>
        exact('setrange', this.key(), this.rng.pick(['-1', 'abc', '536870912', '9223372036854775807']), 'x'),
    ],
    [4, () => exact(this.rng.pick(['incr', 'decr']), this.key())],
    [4, () => exact(this.rng.pick(['incrby', 'decrby']), this.key(), intArg(this.rng))],
    [4, () => exact('incrbyfloat', this.key(), floatArg(this.rng))],
    [1, () => exact('set', this.key(), randomText(this.rng, this.rng.range(0, 40)))],
    [3, () => this.lcs()],
    [3, () => exact(this.rng.pick(['del', 'unlink']), ...this.keys(1, 3))],
    [3, () => exact(this.rng.pick(['exists', 'touch']), ...this.keys(1, 4))],
    [2, () => exact('type', this.key())],
    [2, () => ({ argv: [b('keys'), this.rng.pick(PATTERNS)], compare: 'key-set' })],
    [3, () => this.scan()],
    [1, () => ({ argv: [b('randomkey')], compare: 'random-key' })],
    [3, () => exact(this.rng.pick(['rename', 'renamenx']), this.key(), this.key())],
    [2, () => this.copy()],
    [2, () => exact('move', this.key(), this.db())],
    [2, () => exact('dbsize')],
    [0.3, () => exact('flushdb', ...(this.rng.chance(0.5) ? [] : [this.rng.pick(['ASYNC', 'sync', 'foo'])]))],
    [0.1, () => exact('flushall', ...(this.rng.chance(0.5) ? [] : [this.rng.pick(['ASYNC', 'SYNC', 'x'])]))],
    [1, () => exact('swapdb', this.db(), this.db())],
    // (SELECT 2147483648 is left out: SELECT is not part of this suite and words that error apart.)
    [
      1,
      () =>
        exact(
          'select',
          this.rng.chance(0.9) ? String(this.rng.int(DATABASES_USED)) : this.rng.pick(['16', '-1', 'abc']),
        ),
    ],
    [3, () => this.object()],
    [8, () => this.expire()],
    [6, () => this.ttl()],
    [2, () => exact('persist', this.key())],
    [0.5, () => exact('incrby', this.key(), this.rng.pick(INT_EDGES))],
  ];
}
