/**
 * WATCH bookkeeping (Redis's watched_keys): key -> clients watching it. Any change to a watched
 * key, from any door or from expiry/eviction, marks its watchers dirty so their EXEC fails.
 * A key already expired but not yet deleted when it was watched ("stale", Redis 7.0's
 * watchedKey.expired) is logically absent: its deletion is no change, only a new value is.
 */
import type { ClientState, WatchRegistry } from '../commands/context.js';
import type { ChangeKind, Keyspace } from '../engine/types.js';

function watchId(db: number, key: Buffer): string {
  return `${db}\0${key.toString('latin1')}`;
}

export class Watches implements WatchRegistry {
  private readonly byKey = new Map<string, Set<ClientState>>();
  /** Per client, the watched keys that were stale when watched. */
  private readonly stale = new WeakMap<ClientState, Set<string>>();

  watch(client: ClientState, db: number, key: Buffer, stale = false): void {
    const id = watchId(db, key);
    if (client.watching === null) client.watching = new Set();
    if (client.watching.has(id)) return;
    client.watching.add(id);
    if (stale) this.markStale(client, id);
    let set = this.byKey.get(id);
    if (set === undefined) {
      set = new Set();
      this.byKey.set(id, set);
    }
    set.add(client);
  }

  unwatchAll(client: ClientState): void {
    if (client.watching !== null) {
      for (const id of client.watching) {
        const set = this.byKey.get(id);
        if (set === undefined) continue;
        set.delete(client);
        if (set.size === 0) this.byKey.delete(id);
      }
      client.watching = null;
    }
    this.stale.delete(client);
    client.watchDirty = false;
  }

  private markStale(client: ClientState, id: string): void {
    let ids = this.stale.get(client);
    if (ids === undefined) {
      ids = new Set();
      this.stale.set(client, ids);
    }
    ids.add(id);
  }

  /** Whether `client` watched `id` while it was stale; `clear` forgets it (the key is gone). */
  private wasStale(client: ClientState, id: string, clear: boolean): boolean {
    const ids = this.stale.get(client);
    if (ids === undefined || !ids.has(id)) return false;
    if (clear) ids.delete(id);
    return true;
  }

  /**
   * The keyspace change listener. Costs one size check when nobody watches. A whole database
   * flushed or swapped (key null) is handled before it happens, by `touchDb`.
   */
  onChange = (db: number, key: Buffer | null, kind: ChangeKind): void => {
    if (this.byKey.size === 0 || key === null) return;
    const id = watchId(db, key);
    const set = this.byKey.get(id);
    if (set === undefined) return;
    const gone = kind !== 'set';
    for (const c of set) {
      // A stale key deleted (expired, DEL, evicted) is no logical change.
      if (this.wasStale(c, id, true) && gone) continue;
      c.watchDirty = true;
    }
  };

  /**
   * Redis's touchAllWatchedKeysInDb, called before `db` is flushed or swapped with `other`: a
   * watched key of `db` fails its watchers when it exists in `db` now, or in `other` (which
   * takes its place). Keys count as Redis's dict sees them, expired or not; a stale watched
   * key that goes or is replaced by another expired key is no change, and a missing key
   * replaced by an expired one becomes stale (Redis's touchAllWatchedKeysInDb).
   */
  touchDb(keyspace: Keyspace, db: number, other: number | null = null): void {
    if (this.byKey.size === 0) return;
    const prefix = `${db}\0`;
    const now = keyspace.clock.now();
    for (const [id, set] of this.byKey) {
      if (!id.startsWith(prefix)) continue;
      const key = Buffer.from(id.slice(prefix.length), 'latin1');
      const inDb = keyspace.peekEntry(db, key) !== null;
      const replacement = other === null ? null : keyspace.peekEntry(other, key);
      if (!inDb && replacement === null) continue;
      const replacedExpired =
        replacement !== null && replacement.expireAt !== 0 && replacement.expireAt <= now;
      for (const c of set) {
        if (this.wasStale(c, id, replacement === null)) {
          if (replacement === null || replacedExpired) continue;
        } else if (!inDb && replacedExpired) {
          this.markStale(c, id);
          continue;
        }
        c.watchDirty = true;
      }
    }
  }

  /** Watched keys of a client as (db, key) pairs (EXEC re-checks them for lazy expiry). */
  keysOf(client: ClientState): Array<[number, Buffer]> {
    const out: Array<[number, Buffer]> = [];
    if (client.watching === null) return out;
    for (const id of client.watching) {
      const sep = id.indexOf('\0');
      out.push([Number(id.slice(0, sep)), Buffer.from(id.slice(sep + 1), 'latin1')]);
    }
    return out;
  }
}
