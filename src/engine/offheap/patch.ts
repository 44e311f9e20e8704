/**
 * Keyspace.patchString for the off-heap keyspace: edit a string's bytes where they are stored.
 * - a value in an external Buffer (over 64 KB, the large bitmaps this is for) is edited in
 *   that Buffer; growth extends it into its spare room or moves it to a roomier one
 *   (string-patch.ts), so it is never copied per command;
 * - an uncompressed value inline in the arena is edited in its block when it need not grow;
 * - otherwise (a compressed value, an inline one that grows) the value is read, edited and
 *   written back through the SET path, uncompressed: a string being edited bit by bit stays
 *   raw, so the next edit is in place rather than a decompress-compress round trip. A later
 *   whole-value write (SET, APPEND, ...) offers it to compression again.
 * A transient read (`get(db, key, true)`: GETBIT, BITCOUNT, ...) of a compressed value stores
 * it raw too, for the same reason: bit-level reads would otherwise decompress it per call.
 */
import { editable, type StringEdit } from '../string-patch.js';
import type { OffHeapKeyspace } from './keyspace.js';
import { F_COMPRESSED, F_EXTERNAL, F_OBJECT, F_RAW } from './layout.js';
import { overwriteEntry } from './write.js';

export function patchString(
  ks: OffHeapKeyspace,
  db: number,
  key: Buffer,
  minLength: number,
  edit: StringEdit,
): boolean {
  // exists() applies lazy expiry; the dict then finds the live entry.
  if (!ks.exists(db, key)) return false;
  const d = ks.dbs[db];
  const e = ks.entries;
  const h = ks.hash(key);
  if ((e.flags(d.dict.find(key, h)) & F_OBJECT) !== 0) return false;
  ks.willChange(db, key);
  // The before-change listener may read the keyspace: find the entry again.
  const ref = d.dict.find(key, h);
  const now = ks.clock.now();
  const flags = e.flags(ref);
  let changed: boolean;
  if ((flags & F_COMPRESSED) === 0 && (flags & F_EXTERNAL) !== 0) {
    const id = e.extId(ref);
    const keyLen = e.ext.keyLens[id];
    const old = e.ext.bufs[id];
    const buf = editable(old, keyLen + minLength, false);
    if (buf !== old) e.ext.replace(id, buf);
    ks.touchRef(ref, now);
    changed = edit(buf.subarray(keyLen)) || buf.length !== old.length;
  } else if ((flags & F_COMPRESSED) === 0 && minLength <= e.storedValueLen(ref)) {
    ks.touchRef(ref, now);
    changed = edit(e.valueView(ref));
  } else {
    const old = e.readValue(ref);
    const bytes = minLength > old.length ? Buffer.concat([old, Buffer.alloc(minLength - old.length)]) : old;
    changed = edit(bytes) || bytes.length !== old.length;
    overwriteEntry(ks, d, ref, key, { bytes, compressed: false, object: false, raw: true }, now, 0, true);
  }
  // Redis unshares a string it edits into a raw sds: OBJECT ENCODING says raw from now on.
  if (changed) {
    e.addFlags(d.dict.find(key, h), F_RAW);
    ks.emitKey(db, key, 'set');
  }
  return true;
}

/**
 * The string at `ref` (just found for `key`) as the bytes of a transient read: a view of the
 * stored bytes; a compressed value is first stored raw (a change of representation only:
 * no listener, no event) and its decompressed copy returned.
 */
export function rawView(ks: OffHeapKeyspace, db: number, key: Buffer, ref: number): Buffer {
  const e = ks.entries;
  if ((e.flags(ref) & F_COMPRESSED) === 0) return e.valueView(ref);
  const bytes = e.readValue(ref);
  overwriteEntry(
    ks,
    ks.dbs[db],
    ref,
    key,
    // Stored uncompressed: a change of representation only, which no reader can see.
    { bytes, compressed: false, object: false, raw: (e.flags(ref) & F_RAW) !== 0 },
    ks.clock.now(),
    0,
    true,
  );
  return bytes;
}
