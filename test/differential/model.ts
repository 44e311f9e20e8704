/**
 * The little the differential test must remember about the data to tell a real difference from
 * a documented one: the selected database, and which keys may hold a value whose Redis
 * encoding depends on history (APPEND/SETRANGE make `raw`, INCRBYFLOAT makes `embstr`, COPY
 * unshares small integers), where Cairn derives OBJECT ENCODING/REFCOUNT from the bytes alone.
 * The model is conservative: when unsure, a key is marked.
 */
import type { Node } from './resp-client.js';

const DATABASES = 16;

export class Model {
  db = 0;
  private marked: Array<Set<string>> = Array.from({ length: DATABASES }, () => new Set<string>());

  isHistoryDependent(db: number, key: Buffer): boolean {
    return this.marked[db].has(key.toString('latin1'));
  }

  /** Update from a command and Redis's reply to it. */
  observe(argv: readonly Buffer[], reply: Node): void {
    const name = argv[0].toString('latin1').toLowerCase();
    const ok = reply.t !== 'error';
    const db = this.db;
    const k = (i: number) => argv[i].toString('latin1');
    const mark = (d: number, key: string) => this.marked[d].add(key);
    const clear = (d: number, key: string) => this.marked[d].delete(key);
    const isOne = reply.t === 'int' && reply.v === 1n;
    switch (name) {
      case 'append':
      case 'setrange':
      case 'incrbyfloat':
        if (argv.length > 1) mark(db, k(1));
        return;
      case 'set':
        if (ok && (argv.length === 3 || (reply.t === 'simple' && reply.s === 'OK'))) clear(db, k(1));
        return;
      case 'setnx':
        if (isOne) clear(db, k(1));
        return;
      case 'setex':
      case 'psetex':
      case 'getset':
      case 'incr':
      case 'decr':
      case 'incrby':
      case 'decrby':
      case 'getdel':
        if (ok) clear(db, k(1));
        return;
      case 'mset':
      case 'msetnx':
        if (ok && (name === 'mset' || isOne)) for (let i = 1; i < argv.length; i += 2) clear(db, k(i));
        return;
      case 'del':
      case 'unlink':
        if (ok) for (let i = 1; i < argv.length; i++) clear(db, k(i));
        return;
      case 'rename':
      case 'renamenx':
        if (ok && (name === 'rename' || isOne) && k(1) !== k(2)) {
          if (this.marked[db].has(k(1))) mark(db, k(2));
          else clear(db, k(2));
          clear(db, k(1));
        }
        return;
      case 'copy':
        if (isOne) mark(this.copyTarget(argv), k(2));
        return;
      case 'move':
        if (isOne) {
          const to = Number(k(2));
          if (this.marked[db].has(k(1))) mark(to, k(1));
          else clear(to, k(1));
          clear(db, k(1));
        }
        return;
      case 'swapdb':
        if (ok) {
          const a = Number(k(1));
          const b = Number(k(2));
          [this.marked[a], this.marked[b]] = [this.marked[b], this.marked[a]];
        }
        return;
      case 'flushdb':
        if (ok) this.marked[db].clear();
        return;
      case 'flushall':
        if (ok) for (const s of this.marked) s.clear();
        return;
      case 'select':
        if (ok) this.db = Number(k(1));
        return;
    }
  }

  /** COPY's destination database, read as Redis reads the options (the last DB wins). */
  private copyTarget(argv: readonly Buffer[]): number {
    let target = this.db;
    for (let i = 3; i < argv.length; i++) {
      if (argv[i].toString('latin1').toLowerCase() === 'db' && i + 1 < argv.length) {
        target = Number(argv[++i].toString('latin1'));
      }
    }
    return target;
  }
}
