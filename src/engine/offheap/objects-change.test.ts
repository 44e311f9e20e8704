/**
 * collectionModified reuses the entry the command's lookup just found: only while that entry
 * is still the key's (nothing freed since, no SWAPDB, same database and key).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { ListValue } from '../values/list.js';
import { OffHeapKeyspace } from './keyspace.js';

const b = (s: string) => Buffer.from(s);

function list(...items: string[]): ListValue {
  const l = new ListValue();
  for (const x of items) l.pushTail(x);
  return l;
}

/** The command pattern: get (the lookup), change in place, modified. */
function pop(ks: OffHeapKeyspace, db: number, key: string): boolean {
  const l = ks.get(db, b(key)) as ListValue;
  ks.willModify(db, b(key));
  l.popHead();
  return ks.modified(db, b(key));
}

describe('collectionModified after a lookup', () => {
  it('changes the key looked up, even when other keys were freed or databases swapped between', () => {
    const ks = new OffHeapKeyspace(2, new ManualClock(1));
    ks.set(0, b('a'), list('1', '2', '3'));
    ks.set(0, b('gone'), b('x'));
    ks.set(1, b('a'), list('x', 'y'));

    // A lookup of `a`, then another key freed: the remembered entry is not trusted.
    const l = ks.get(0, b('a')) as ListValue;
    ks.delete(0, b('gone'));
    l.popHead();
    expect(ks.modified(0, b('a'))).toBe(true);
    expect(ks.memoryUsage(0, b('a'))).not.toBeNull();

    // Looked up in db 0, then the databases swap: db 0's `a` is now the other list.
    ks.get(0, b('a'));
    ks.swapDb(0, 1);
    expect((ks.get(0, b('a')) as ListValue).size()).toBe(2);
    expect(pop(ks, 0, 'a')).toBe(true);
    expect((ks.get(0, b('a')) as ListValue).size()).toBe(1);
    expect((ks.get(1, b('a')) as ListValue).size()).toBe(2);
  });

  it('after SWAPDB, each database changes its own entry', () => {
    const ks = new OffHeapKeyspace(2, new ManualClock(1));
    ks.set(0, b('a'), list('1'));
    ks.set(1, b('a'), list('x', 'y'));
    (ks.get(0, b('a')) as ListValue).popHead();
    ks.swapDb(0, 1);
    // db 0's `a` is now the two-item list: changed, kept.
    expect(ks.modified(0, b('a'))).toBe(true);
    expect((ks.get(0, b('a')) as ListValue).size()).toBe(2);
    // db 1 holds the emptied one: removed when reported.
    expect(ks.modified(1, b('a'))).toBe(false);
    expect(ks.exists(1, b('a'))).toBe(false);
    expect(ks.dbSize(0) + ks.dbSize(1)).toBe(1);
  });

  it('deletes an emptied collection and a new one under the same key is its own', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock(1));
    ks.set(0, b('k'), list('only'));
    ks.set(0, b('other'), list('o'));
    expect(pop(ks, 0, 'k')).toBe(false);
    expect(ks.exists(0, b('k'))).toBe(false);
    // The other key's entry stays intact (the removal found the right entry).
    expect((ks.get(0, b('other')) as ListValue).at(0)).toBe('o');
    ks.set(0, b('k'), list('n1', 'n2'));
    expect(pop(ks, 0, 'k')).toBe(true);
    expect((ks.get(0, b('k')) as ListValue).at(0)).toBe('n2');
    expect(ks.dbSize(0)).toBe(2);
  });

  it('reports a key with no collection, or no key, as not modified', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock(1));
    ks.set(0, b('s'), b('string'));
    ks.get(0, b('s'));
    expect(ks.modified(0, b('s'))).toBe(false);
    ks.get(0, b('missing'));
    expect(ks.modified(0, b('missing'))).toBe(false);
  });
});
