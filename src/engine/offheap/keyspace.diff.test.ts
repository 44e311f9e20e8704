/**
 * Differential property tests: long random sequences of every Keyspace operation run against
 * the off-heap keyspace and the Map keyspace (the oracle) must give identical results and
 * identical change events. Operations whose outcome is implementation-defined (active expiry,
 * RANDOMKEY's lazy expiry, eviction) run on the off-heap keyspace only; each key they remove is
 * checked against the oracle and removed there too, so both stay in the same state.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { MapKeyspace } from '../map-keyspace.js';
import type { ChangeKind, EngineTuning } from '../types.js';
import { encodeValue } from '../values/codec.js';
import { OffHeapKeyspace } from './keyspace.js';
import { verifyKeyspace } from './verify.js';

const DBS = 3;
/** A change event, or a before-change notice with the entry as peekEntry saw it then. */
type Event = [number, string | null, ChangeKind] | ['before', number, string | null, string | null];
const hex = (b: Buffer) => b.toString('hex');

/** Value spec: length and fill, built in the test so big values stay cheap to generate. */
interface ValSpec {
  len: number;
  byte: number;
  compressible: boolean;
}
function makeValue(v: ValSpec): Buffer {
  const b = Buffer.alloc(v.len, v.byte);
  if (!v.compressible)
    for (let i = 0; i < b.length; i++) b[i] = (v.byte * 31 + i * 7919 + ((i * i) >>> 3)) & 0xff;
  return b;
}

const SMALL_KEYS = ['a', 'b', 'key:1', 'key:2', 'user:1000:session', '', 'x'.repeat(40), '\u0000\r\n'];
const keyArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SMALL_KEYS).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }).map((u) => Buffer.from(u)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 80 }).map((n) => Buffer.from(`k${n}`)) },
  // Long shared prefixes: stored once when seen often enough (prefixes.ts).
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('tenant:1:region:eu-west-1:user:', 'svc/cache/v2/objects/', 'x|y|zzzzzzzzzzzzzzzz|'),
        fc.nat(30),
      )
      .map(([p, n]) => Buffer.from(`${p}${n}`)),
  },
);
const valArb: fc.Arbitrary<ValSpec> = fc.record({
  len: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 80 }) },
    { weight: 2, arbitrary: fc.integer({ min: 500, max: 3000 }) },
    { weight: 1, arbitrary: fc.constantFrom(65_000, 70_000) },
  ),
  byte: fc.integer({ min: 0, max: 255 }),
  compressible: fc.boolean(),
});
const dbArb = fc.integer({ min: 0, max: DBS - 1 });
const ttlArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 }));
const policyArb = fc.constantFrom<EngineTuning['maxmemoryPolicy']>(
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
);

const opArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      db: dbArb,
      k: keyArb,
      v: valArb,
      ttl: ttlArb,
      keep: fc.boolean(),
    }),
  },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('get' as const), db: dbArb, k: keyArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('delete' as const), db: dbArb, k: keyArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('exists' as const), db: dbArb, k: keyArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('expireTime' as const), db: dbArb, k: keyArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('setExpireTime' as const),
      db: dbArb,
      k: keyArb,
      rel: fc.integer({ min: -2000, max: 6000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('persist' as const), db: dbArb, k: keyArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('touch' as const), db: dbArb, k: keyArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('meta' as const), db: dbArb, k: keyArb }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('counts' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('scanAll' as const),
      db: dbArb,
      count: fc.integer({ min: 1, max: 50 }),
      expired: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('scanEntries' as const),
      db: dbArb,
      count: fc.integer({ min: 1, max: 50 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('peek' as const), db: dbArb, k: keyArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flushDb' as const), db: dbArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('swapDb' as const), a: dbArb, b: dbArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('randomKey' as const), db: dbArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('activeExpire' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('defrag' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('grow' as const),
      db: dbArb,
      n: fc.integer({ min: 50, max: 600 }),
      ttl: ttlArb,
      prefix: fc.constantFrom('g:', 'tenant:9:region:us-east-2:session:'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('storm' as const),
      db: dbArb,
      every: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('evict' as const),
      policy: policyArb,
      share: fc.double({ min: 0.3, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('compression' as const), threshold: fc.constantFrom(0, 16, 1024) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flushAll' as const) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

class Pair {
  readonly clock = new ManualClock();
  readonly map = new MapKeyspace(DBS, this.clock);
  readonly off = new OffHeapKeyspace(DBS, this.clock);
  readonly mapEvents: Event[] = [];
  readonly offEvents: Event[] = [];
  /** An LFU policy was set: entry clocks were LFU counters for a while (lfu.ts). */
  lfuUsed = false;
  /** Events before this index were already compared. */
  private synced = 0;
  constructor() {
    this.listen(this.map, this.mapEvents);
    this.listen(this.off, this.offEvents);
    this.off.configure({ compressionThreshold: 16 });
  }

  private listen(ks: MapKeyspace | OffHeapKeyspace, log: Event[]): void {
    ks.setChangeListener((db, key, kind) => log.push([db, key === null ? null : hex(key), kind]));
    ks.setBeforeChangeListener((db, key) =>
      log.push(['before', db, key === null ? null : hex(key), peekState(ks, db, key)]),
    );
  }

  /** Run on both; results and events must match. */
  both<T>(f: (ks: MapKeyspace | OffHeapKeyspace) => T): T {
    const m = f(this.map);
    const o = f(this.off);
    expect(o).toEqual(m);
    this.sync();
    return o;
  }

  /** Compare the events since the last comparison. */
  sync(): void {
    expect(this.offEvents.length).toBe(this.mapEvents.length);
    expect(this.offEvents.slice(this.synced)).toEqual(this.mapEvents.slice(this.synced));
    this.synced = this.offEvents.length;
  }

  /** The off-heap keyspace removed keys on its own: check each against the oracle, mirror it. */
  mirrorRemovals(from: number, volatileOnly = false): void {
    for (let i = from; i < this.offEvents.length; i++) {
      const ev = this.offEvents[i];
      if (ev[0] === 'before') continue;
      const [db, k, kind] = ev;
      expect(k).not.toBeNull();
      const key = Buffer.from(k!, 'hex');
      const before = this.map.dbSize(db);
      if (kind === 'expire') {
        expect(this.map.expireTime(db, key)).toBe(-2); // the oracle agrees it expired, and drops it
      } else {
        expect(kind).toBe('evict');
        this.mapEvents.push(['before', db, k, peekState(this.map, db, key)]);
        this.map.setChangeListener(null);
        this.map.setBeforeChangeListener(null);
        // volatile-* policies must only evict keys with a TTL (-2: it had one and expired).
        if (volatileOnly) expect(this.map.expireTime(db, key)).not.toBe(-1);
        this.map.delete(db, key);
        this.listen(this.map, this.mapEvents);
        this.mapEvents.push([db, k, 'evict']);
      }
      expect(this.map.dbSize(db)).toBe(before - 1);
    }
    this.sync();
  }

  liveKeys(ks: MapKeyspace | OffHeapKeyspace, db: number, count: number, includeExpired = false): string[] {
    const out: Buffer[] = [];
    let c = 0;
    do c = ks.scan(db, c, count, out, includeExpired);
    while (c !== 0);
    return [...new Set(out.map(hex))].sort();
  }

  entries(ks: MapKeyspace | OffHeapKeyspace, db: number, count: number): string[] {
    const out = new Set<string>();
    let c = 0;
    do
      c = ks.scanEntries(db, c, count, (k, v, at) => {
        const kb = typeof k === 'string' ? Buffer.from(k, 'latin1') : k;
        out.add(`${hex(kb)}=${hex(encodeValue(v))}@${at}`);
      });
    while (c !== 0);
    return [...out].sort();
  }
}

function peekState(ks: MapKeyspace | OffHeapKeyspace, db: number, key: Buffer | null): string | null {
  if (key === null) return `size=${ks.dbSize(db)}`;
  const e = ks.peekEntry(db, key);
  return e === null ? null : `${hex(encodeValue(e.value))}@${e.expireAt}`;
}

function apply(p: Pair, op: Op): void {
  const now = p.clock.now();
  switch (op.t) {
    case 'set': {
      const v = makeValue(op.v);
      p.both((ks) => ks.set(op.db, op.k, v, op.ttl === 0 ? 0 : now + op.ttl, op.keep));
      return;
    }
    case 'get':
      p.both((ks) => ks.get(op.db, op.k));
      return;
    case 'delete':
      p.both((ks) => ks.delete(op.db, op.k));
      return;
    case 'exists':
      p.both((ks) => ks.exists(op.db, op.k));
      return;
    case 'expireTime':
      p.both((ks) => ks.expireTime(op.db, op.k));
      return;
    case 'setExpireTime':
      p.both((ks) => ks.setExpireTime(op.db, op.k, now + op.rel));
      return;
    case 'persist':
      p.both((ks) => ks.persist(op.db, op.k));
      return;
    case 'touch':
      p.both((ks) => ks.touch(op.db, op.k));
      return;
    case 'meta': {
      const m = p.map.meta(op.db, op.k);
      const o = p.off.meta(op.db, op.k);
      expect(o === null).toBe(m === null);
      if (m !== null && o !== null && !p.lfuUsed) {
        // The LRU clock has Redis's resolution of one second.
        expect(o.idleMs - m.idleMs).toBeGreaterThanOrEqual(0);
        expect(o.idleMs - m.idleMs).toBeLessThan(1000);
      }
      if (o !== null) {
        expect(o.freq).toBeGreaterThanOrEqual(0);
        expect(o.freq).toBeLessThanOrEqual(255);
      }
      p.sync();
      return;
    }
    case 'advance':
      p.clock.advance(op.ms);
      return;
    case 'counts':
      for (let db = 0; db < DBS; db++) {
        p.both((ks) => ks.dbSize(db));
        p.both((ks) => ks.expiresCount(db));
      }
      return;
    case 'scanAll':
      expect(p.liveKeys(p.off, op.db, op.count, op.expired)).toEqual(
        p.liveKeys(p.map, op.db, 1000, op.expired),
      );
      return;
    case 'scanEntries':
      expect(p.entries(p.off, op.db, op.count)).toEqual(p.entries(p.map, op.db, 1000));
      return;
    case 'peek':
      p.both((ks) => ks.peekEntry(op.db, op.k));
      return;
    case 'flushDb':
      p.both((ks) => ks.flushDb(op.db));
      return;
    case 'flushAll':
      p.both((ks) => ks.flushAll());
      return;
    case 'swapDb':
      p.both((ks) => ks.swapDb(op.a, op.b));
      return;
    case 'randomKey': {
      const from = p.offEvents.length;
      const k = p.off.randomKey(op.db);
      p.mirrorRemovals(from);
      if (k !== null) expect(p.map.exists(op.db, k)).toBe(true);
      else {
        const removed = p.offEvents.slice(from).filter((e) => e[0] !== 'before').length;
        expect(p.map.dbSize(op.db) === 0 || removed === 100).toBe(true);
      }
      return;
    }
    case 'activeExpire': {
      const from = p.offEvents.length;
      p.off.activeExpireCycle(100);
      p.mirrorRemovals(from);
      return;
    }
    case 'defrag':
      while (p.off.defrag.step(1000, 'all'));
      p.sync();
      return;
    case 'grow': {
      const v = Buffer.alloc(24, 7);
      for (let i = 0; i < op.n; i++)
        p.both((ks) =>
          ks.set(op.db, Buffer.from(`${op.prefix}${i}`), v, op.ttl ? now + op.ttl * (i % 3) : 0),
        );
      return;
    }
    case 'storm':
      for (let i = 0; i < 600; i += op.every) {
        p.both((ks) => ks.delete(op.db, Buffer.from(`g:${i}`)));
        p.both((ks) => ks.delete(op.db, Buffer.from(`tenant:9:region:us-east-2:session:${i}`)));
      }
      return;
    case 'evict': {
      p.off.configure({ maxmemoryPolicy: op.policy });
      if (op.policy.endsWith('-lfu')) p.lfuUsed = true;
      const limit = Math.floor(p.off.usedMemory() * op.share);
      const from = p.offEvents.length;
      const ok = p.off.makeRoom(limit);
      if (ok) expect(p.off.usedMemory()).toBeLessThanOrEqual(limit);
      if (op.policy === 'noeviction') expect(p.offEvents.length).toBe(from);
      p.mirrorRemovals(from, op.policy.startsWith('volatile'));
      return;
    }
    case 'compression':
      p.off.configure({ compressionThreshold: op.threshold });
      return;
  }
}

function checkAll(p: Pair): void {
  verifyKeyspace(p.off);
  for (let db = 0; db < DBS; db++) {
    expect(p.off.dbSize(db)).toBe(p.map.dbSize(db));
    expect(p.off.expiresCount(db)).toBe(p.map.expiresCount(db));
    expect(p.liveKeys(p.off, db, 7)).toEqual(p.liveKeys(p.map, db, 1000));
  }
}

describe('OffHeapKeyspace vs MapKeyspace (differential)', () => {
  it('random operation sequences give identical results and events', () => {
    // The sequences must reach the interesting states: prefixes interned, entries external.
    let sawPrefixes = 0;
    let sawExternal = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 50, maxLength: 400 }), (ops) => {
        const p = new Pair();
        for (let i = 0; i < ops.length; i++) {
          apply(p, ops[i]);
          if (i % 50 === 0) verifyKeyspace(p.off);
          sawPrefixes = Math.max(sawPrefixes, p.off.entries.prefixes.count());
          sawExternal = Math.max(sawExternal, p.off.entries.ext.count());
        }
        checkAll(p);
        // Finally every key, read back through both.
        for (let db = 0; db < DBS; db++)
          for (const k of p.liveKeys(p.map, db, 1000)) p.both((ks) => ks.get(db, Buffer.from(k, 'hex')));
      }),
      { numRuns: Number(process.env.CAIRN_FC_RUNS ?? 100) },
    );
    expect(sawPrefixes).toBeGreaterThan(0);
    expect(sawExternal).toBeGreaterThan(0);
  }, 300_000);
});
