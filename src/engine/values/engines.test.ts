/**
 * Collections in both engines: stored by reference, changed in place between willModify and
 * modified, accounted in usedMemory, deleted when empty, carried through snapshots (with the
 * copy-on-write of a value changed while a snapshot runs) and through a version-1 file.
 */
import { describe, expect, it } from 'vitest';
import { SnapshotDecoder } from '../../persistence/decoder.js';
import { SnapshotEncoder } from '../../persistence/encoder.js';
import { ManualClock } from '../clock.js';
import { createKeyspace, ENGINE_NAMES } from '../create.js';
import type { ChangeKind } from '../types.js';
import { decodeValue, encodeValue, typeCode } from './codec.js';
import { HashValue } from './hash.js';
import { ListValue } from './list.js';
import { SetValue } from './set.js';
import { ZSetValue } from './zset.js';

const k = (s: string) => Buffer.from(s);

describe.each(ENGINE_NAMES)('collections in the %s engine', (engine) => {
  function make() {
    const clock = new ManualClock(1_000_000);
    const ks = createKeyspace(engine, 16, clock);
    const events: Array<[string, ChangeKind]> = [];
    ks.setChangeListener((_db, key, kind) => events.push([key?.toString() ?? '', kind]));
    return { ks, clock, events };
  }

  it('stores a collection by reference and changes it in place', () => {
    const { ks, events } = make();
    const h = new HashValue();
    h.set('f', 'v');
    ks.set(0, k('h'), h);
    const got = ks.get(0, k('h'));
    expect(got).toBe(h);
    ks.willModify(0, k('h'));
    h.set('g', 'w');
    expect(ks.modified(0, k('h'))).toBe(true);
    expect((ks.get(0, k('h')) as HashValue).get('g')).toBe('w');
    expect(events).toEqual([
      ['h', 'set'],
      ['h', 'set'],
    ]);
  });

  it('deletes a collection that became empty, reporting del', () => {
    const { ks, events } = make();
    const s = new SetValue();
    s.add('a');
    ks.set(0, k('s'), s);
    ks.willModify(0, k('s'));
    s.delete('a');
    expect(ks.modified(0, k('s'))).toBe(false);
    expect(ks.exists(0, k('s'))).toBe(false);
    expect(ks.dbSize(0)).toBe(0);
    expect(events.at(-1)).toEqual(['s', 'del']);
  });

  it('counts a collection growing in usedMemory and frees it on delete and flush', () => {
    const { ks } = make();
    const base = ks.usedMemory();
    const l = new ListValue();
    l.pushTail('x');
    ks.set(0, k('l'), l);
    const one = ks.usedMemory();
    ks.willModify(0, k('l'));
    for (let i = 0; i < 1000; i++) l.pushTail('y'.repeat(100));
    ks.modified(0, k('l'));
    expect(ks.usedMemory() - one).toBeGreaterThan(100_000);
    ks.delete(0, k('l'));
    expect(ks.usedMemory()).toBe(base);
    const z = new ZSetValue();
    z.add('m', 1);
    ks.set(3, k('z'), z);
    ks.set(4, k('s'), Buffer.from('str'));
    ks.flushAll();
    expect(ks.usedMemory()).toBe(base);
  });

  it('keeps the TTL, and a string overwrite replaces a collection', () => {
    const { ks, clock } = make();
    const h = new HashValue();
    h.set('f', 'v');
    ks.set(0, k('h'), h, clock.now() + 5000);
    expect(ks.expireTime(0, k('h'))).toBe(clock.now() + 5000);
    ks.set(0, k('h'), Buffer.from('plain'));
    expect(ks.get(0, k('h'))).toEqual(Buffer.from('plain'));
    const s = new SetValue();
    s.add('1');
    ks.set(0, k('t'), s, clock.now() + 10);
    clock.advance(11);
    expect(ks.get(0, k('t'))).toBeNull();
  });

  it('fits encodings to the limits, one way', () => {
    const { ks } = make();
    ks.limits.hashMaxListpackEntries = 2;
    const h = new HashValue();
    h.set('a', '1');
    ks.set(0, k('h'), h);
    expect(h.encoding()).toBe('listpack');
    ks.willModify(0, k('h'));
    h.set('b', '2');
    h.set('c', '3');
    ks.modified(0, k('h'));
    expect(h.encoding()).toBe('hashtable');
    ks.willModify(0, k('h'));
    h.delete('c');
    h.delete('b');
    ks.modified(0, k('h'));
    expect(h.encoding()).toBe('hashtable');
    const s = new SetValue();
    s.add('10');
    s.add('-3');
    ks.set(0, k('s'), s);
    expect(s.encoding()).toBe('intset');
    expect(s.members()).toEqual(['-3', '10']);
    ks.willModify(0, k('s'));
    s.add('x');
    ks.modified(0, k('s'));
    expect(s.encoding()).toBe('hashtable');
  });

  it('gives the old value to the before-change listener while a snapshot would copy it', () => {
    const { ks } = make();
    const h = new HashValue();
    h.set('f', 'old');
    ks.set(0, k('h'), h);
    let seen: Buffer | null = null;
    ks.setBeforeChangeListener?.((db, key) => {
      if (key === null) return;
      const e = ks.peekEntry(db, key);
      if (e !== null) seen = Buffer.from(encodeValue(e.value));
    });
    ks.willModify(0, k('h'));
    h.set('f', 'new');
    ks.modified(0, k('h'));
    expect(seen).not.toBeNull();
    const old = decodeValue(typeCode(h), seen as unknown as Buffer) as HashValue;
    expect(old.get('f')).toBe('old');
  });

  it('round-trips every type through the snapshot format', () => {
    const { ks, clock } = make();
    const h = new HashValue();
    h.set('f\u00ff', 'v\u0000');
    const l = new ListValue();
    for (const v of ['a', 'b', 'c']) l.pushTail(v);
    const s = new SetValue();
    for (const v of ['1', '2', 'x']) s.add(v);
    const z = new ZSetValue();
    z.add('m', 1.5);
    z.add('n', Number.NEGATIVE_INFINITY);
    ks.set(0, k('h'), h);
    ks.set(1, k('l'), l, clock.now() + 60_000);
    ks.set(2, k('s'), s);
    ks.set(3, k('z'), z);
    ks.set(3, k('str'), Buffer.from('plain'));
    const enc = new SnapshotEncoder({
      createdAt: clock.now(),
      databases: 16,
      engine,
      keysAtStart: 5,
      cairnVersion: 'test',
    });
    for (let db = 0; db < 4; db++) {
      let cursor = 0;
      do {
        cursor =
          ks.scanEntries?.(db, cursor, 100, (key, value, expireAt) =>
            enc.add(db, key, encodeValue(value), expireAt, typeCode(value)),
          ) ?? 0;
      } while (cursor !== 0);
    }
    enc.finish();
    const file = Buffer.concat(enc.take());
    const back = createKeyspace(engine, 16, clock);
    const dec = new SnapshotDecoder('t', {
      record: (db, key, value, expireAt, type) => back.set(db, key, decodeValue(type, value), expireAt),
    });
    dec.push(file);
    dec.end();
    expect((back.get(0, k('h')) as HashValue).get('f\u00ff')).toBe('v\u0000');
    expect((back.get(1, k('l')) as ListValue).range(0, 2)).toEqual(['a', 'b', 'c']);
    expect(back.expireTime(1, k('l'))).toBe(clock.now() + 60_000);
    expect((back.get(2, k('s')) as SetValue).encoding()).toBe('hashtable');
    expect((back.get(3, k('z')) as ZSetValue).score('n')).toBe(Number.NEGATIVE_INFINITY);
    expect(back.get(3, k('str'))).toEqual(Buffer.from('plain'));
  });
});

describe('snapshot format versions', () => {
  it('loads a version-1 file (strings only, no type codes)', () => {
    const enc = new SnapshotEncoder(
      { createdAt: 1, databases: 16, engine: 'map', keysAtStart: 1, cairnVersion: 'old' },
      1,
    );
    enc.add(0, Buffer.from('a'), Buffer.from('1'), 0);
    enc.finish();
    const file = Buffer.concat(enc.take());
    const got: Array<[string, string, number]> = [];
    const dec = new SnapshotDecoder('v1', {
      record: (_db, key, value, _at, type) => got.push([key.toString(), value.toString(), type]),
    });
    dec.push(file);
    dec.end();
    expect(dec.header?.format).toBe(1);
    expect(got).toEqual([['a', '1', 0]]);
  });

  it('refuses a collection value that does not parse, naming it corrupt', () => {
    expect(() => decodeValue(4, Buffer.from([0, 5, 0, 0, 0]))).toThrow(/truncated/);
    expect(() => decodeValue(9, Buffer.alloc(0))).toThrow(/unknown value type/);
  });
});
