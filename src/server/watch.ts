/**
 * WATCH bookkeeping (Redis's watched_keys): key -> clients watching it. Any change to a watched
 * key, from any door or from expiry/eviction, marks its watchers dirty so their EXEC fails.
 */
import type { ClientState, WatchRegistry } from '../commands/context.js';
import type { ChangeKind, Keyspace } from '../engine/types.js';

function watchId(db: number, key: Buffer): string {
  return `${db}\0${key.toString('latin1')}`;
}

export class Watches implements WatchRegistry {
  private readonly byKey = new Map<string, Set<ClientState>>();

  watch(client: ClientState, db: number, key: Buffer): void {
    const id = watchId(db, key);
    if (client.watching === null) client.watching = new Set();
    if (client.watching.has(id)) return;
    client.watching.add(id);
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
    client.watchDirty = false;
  }

  /**
   * The keyspace change listener. Costs one size check when nobody watches. A whole database
   * flushed or swapped (key null) is handled before it happens, by `touchDb`.
   */
  onChange = (db: number, key: Buffer | null, _kind: ChangeKind): void => {
    if (this.byKey.size === 0 || key === null) return;
    const set = this.byKey.get(watchId(db, key));
    if (set !== undefined) for (const c of set) c.watchDirty = true;
  };

  /**
   * Redis's touchAllWatchedKeysInDb, called before `db` is flushed or swapped with `other`: a
   * watched key of `db` fails its watchers when it exists in `db` now, or in `other` (which
   * takes its place).
   */
  touchDb(keyspace: Keyspace, db: number, other: number | null = null): void {
    if (this.byKey.size === 0) return;
    const prefix = `${db}\0`;
    for (const [id, set] of this.byKey) {
      if (!id.startsWith(prefix)) continue;
      const key = Buffer.from(id.slice(prefix.length), 'latin1');
      if (keyspace.exists(db, key) || (other !== null && keyspace.exists(other, key)))
        for (const c of set) c.watchDirty = true;
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
