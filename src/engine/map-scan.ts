/**
 * SCAN over one database of the Map engine. Entries carry a growing `seq` in Map insertion
 * order (an overwrite keeps a key's place), so "every key with seq > cursor" is exactly the rest
 * of the iteration. Live iterators are kept for a fast resume; an unknown cursor resumes by
 * skipping entries with seq <= cursor.
 */
import type { Entry } from './map-keyspace.js';

/** Saved SCAN iterators kept for fast resume (beyond this, resume falls back to a linear skip). */
const MAX_SAVED_SCANS = 256;

export function resumableScan(
  map: Map<string, Entry>,
  scans: Map<string, Iterator<[string, Entry]>>,
  db: number,
  cursor: number,
  count: number,
  opts: { includeExpired: boolean; now: number; visit: (k: string, e: Entry) => void },
): number {
  const id = `${db}:${cursor}`;
  let it = cursor === 0 ? undefined : scans.get(id);
  scans.delete(id);
  let skipTo = 0;
  if (it === undefined) {
    it = map.entries();
    skipTo = cursor;
  }
  const { now, includeExpired, visit } = opts;
  let last = 0;
  let n = 0;
  for (;;) {
    const r = it.next();
    if (r.done) return 0;
    const [k, e] = r.value;
    if (e.seq <= skipTo) continue;
    last = e.seq;
    if (!includeExpired && e.expireAt !== 0 && e.expireAt <= now) continue;
    visit(k, e);
    if (++n >= count) break;
  }
  if (scans.size >= MAX_SAVED_SCANS) {
    const oldest = scans.keys().next().value;
    if (oldest !== undefined) scans.delete(oldest);
  }
  scans.set(`${db}:${last}`, it);
  return last;
}
