/**
 * The little the differential test must remember about the data to tell a real difference from
 * a documented one, per database and key:
 *
 * - history-dependent encodings: APPEND/SETRANGE make `raw`, INCRBYFLOAT makes `embstr`, COPY
 *   unshares small integers in Redis, where Cairn derives OBJECT ENCODING/REFCOUNT from the
 *   bytes alone;
 * - TTL skew: an upper bound, in ms, on how far apart the two servers' absolute expiry times of
 *   a key may be. A relative expiry (EX, PX, EXPIRE, SETEX...) is added to each server's own
 *   clock at the instant it runs the command; both run it between the moment the test sent it
 *   and the moment the last reply arrived, so the skew is that measured window. Absolute
 *   expiries (EXAT, PXAT, EXPIREAT) have no skew.
 *
 * Families update it from their commands and Redis's replies (see CommandFamily.observe). The
 * model is conservative: when unsure, a key stays marked and a skew only grows.
 */

const DATABASES = 16;

export class Model {
  /** The database the test's main connection has selected. */
  db = 0;
  private history: Array<Set<string>> = Array.from({ length: DATABASES }, () => new Set<string>());
  private skew: Array<Map<string, number>> = Array.from({ length: DATABASES }, () => new Map());

  isHistoryDependent(db: number, key: Buffer | string): boolean {
    return this.history[db].has(name(key));
  }

  /** Upper bound (ms) on the difference between the two servers' expiry times of this key. */
  ttlSkew(db: number, key: Buffer | string): number {
    return this.skew[db].get(name(key)) ?? 0;
  }

  markHistory(db: number, key: Buffer | string): void {
    this.history[db].add(name(key));
  }

  /** The key now holds a value written afresh: its encoding is the bytes' own. */
  freshValue(db: number, key: Buffer | string): void {
    this.history[db].delete(name(key));
  }

  /** The key's expiry was set from a relative time during a window of `windowMs`. */
  relativeTtl(db: number, key: Buffer | string, windowMs: number): void {
    this.skew[db].set(name(key), windowMs);
  }

  /** Perhaps set from a relative time (the reply does not say): the bound can only grow. */
  maybeRelativeTtl(db: number, key: Buffer | string, windowMs: number): void {
    this.skew[db].set(name(key), Math.max(this.ttlSkew(db, key), windowMs));
  }

  /** The key has no TTL now, or an absolute one: both servers hold the same expiry. */
  exactTtl(db: number, key: Buffer | string): void {
    this.skew[db].delete(name(key));
  }

  /** The key is gone (deleted, expired). */
  forget(db: number, key: Buffer | string): void {
    this.history[db].delete(name(key));
    this.skew[db].delete(name(key));
  }

  /** RENAME, MOVE (keepSource false) and COPY (true): the destination takes the source's facts. */
  transfer(
    fromDb: number,
    from: Buffer | string,
    toDb: number,
    to: Buffer | string,
    keepSource: boolean,
  ): void {
    const [f, t] = [name(from), name(to)];
    if (fromDb === toDb && f === t) return;
    const marked = this.history[fromDb].has(f);
    const skew = this.skew[fromDb].get(f);
    if (!keepSource) this.forget(fromDb, f);
    if (marked) this.history[toDb].add(t);
    else this.history[toDb].delete(t);
    if (skew === undefined) this.skew[toDb].delete(t);
    else this.skew[toDb].set(t, skew);
  }

  swap(a: number, b: number): void {
    [this.history[a], this.history[b]] = [this.history[b], this.history[a]];
    [this.skew[a], this.skew[b]] = [this.skew[b], this.skew[a]];
  }

  flush(db: number): void {
    this.history[db].clear();
    this.skew[db].clear();
  }

  flushAll(): void {
    for (let db = 0; db < DATABASES; db++) this.flush(db);
  }
}

function name(key: Buffer | string): string {
  return typeof key === 'string' ? key : key.toString('latin1');
}
