/**
 * Writing a keyspace as a Redis 7.0 RDB file (rdb.c rdbSaveRio): "REDIS0010", the AUX fields
 * Redis writes (redis-ver, redis-bits, ctime, used-mem, aof-base), the function libraries
 * (FUNCTION2), then per non-empty database SELECTDB, RESIZEDB and each key (EXPIRETIME_MS when
 * it has a TTL, the type byte, the key, the value in the encoding Redis would use), EOF and
 * the CRC-64 of everything before it. The file is written to a temporary name in chunks and
 * renamed into place once complete, so a reader never sees half a file.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Keyspace } from '../../engine/types.js';
import type { StoredValue } from '../../engine/values/collection.js';
import { RDB_VERSION, RdbOpcode } from './constants.js';
import { Crc64 } from './crc64.js';
import { type EncodeOptions, encodeValue } from './value-codec.js';
import { RdbWriter } from './writer.js';

const FLUSH_BYTES = 1 << 20;
const SCAN_BATCH = 512;

export interface RdbExportResult {
  keys: number;
  bytes: number;
  durationMs: number;
}

class FileSink {
  private readonly fd: number;
  private readonly crc = new Crc64();
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o644);
  }

  write(chunk: Buffer): void {
    this.crc.update(chunk);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    this.bytes += chunk.length;
  }

  checksum(): Buffer {
    return this.crc.digest();
  }

  close(sync: boolean): void {
    if (sync) fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

export async function exportRdb(opts: {
  keyspace: Keyspace;
  path: string;
  /** The Redis version written in the redis-ver AUX field. */
  redisVersion: string;
  /** Function libraries' code, in load order. */
  libraries?: readonly Buffer[];
  encode?: EncodeOptions;
}): Promise<RdbExportResult> {
  const { keyspace: ks, path } = opts;
  const started = performance.now();
  const tmp = `${path}.tmp-${process.pid}`;
  const sink = new FileSink(tmp);
  const w = new RdbWriter();
  const flush = (force = false) => {
    if (force || w.pending >= FLUSH_BYTES) sink.write(w.drain());
  };
  const aux = (k: string, v: string) => {
    w.u8(RdbOpcode.AUX).string(Buffer.from(k, 'latin1'));
    w.string(Buffer.from(v, 'latin1'));
  };
  let keys = 0;
  let ok = false;
  try {
    w.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    aux('redis-ver', opts.redisVersion);
    aux('redis-bits', '64');
    aux('ctime', String(Math.floor(Date.now() / 1000)));
    aux('used-mem', String(ks.usedMemory()));
    aux('aof-base', '0');
    for (const code of opts.libraries ?? []) w.u8(RdbOpcode.FUNCTION2).string(code);
    const now = ks.clock.now();
    for (let db = 0; db < ks.databases; db++) {
      if (ks.dbSize(db) === 0) continue;
      w.u8(RdbOpcode.SELECTDB).length(db);
      w.u8(RdbOpcode.RESIZEDB).length(ks.dbSize(db)).length(ks.expiresCount(db));
      const one = (key: Buffer | string, value: StoredValue, expireAt: number) => {
        if (expireAt !== 0 && expireAt <= now) return;
        if (expireAt !== 0) w.u8(RdbOpcode.EXPIRETIME_MS).millisecondTime(expireAt);
        const typeAt = w.pending;
        w.u8(0);
        w.string(typeof key === 'string' ? Buffer.from(key, 'latin1') : key, opts.encode);
        const type = encodeValue(w, value, opts.encode);
        w.peek()[typeAt] = type;
        keys++;
        flush();
      };
      let cursor = 0;
      const batch: Buffer[] = [];
      do {
        if (ks.scanEntries !== undefined) cursor = ks.scanEntries(db, cursor, SCAN_BATCH, one);
        else {
          batch.length = 0;
          cursor = ks.scan(db, cursor, SCAN_BATCH, batch, true);
          for (const key of batch) {
            const e = ks.peekEntry(db, key);
            if (e !== null) one(key, e.value, e.expireAt);
          }
        }
        // Other work (a shutdown signal, a health probe) gets a turn between batches.
        await new Promise((resolve) => setImmediate(resolve));
      } while (cursor !== 0);
    }
    w.u8(RdbOpcode.EOF);
    flush(true);
    sink.write(sink.checksum());
    ok = true;
  } finally {
    sink.close(ok);
    if (ok) renameSync(tmp, path);
    else rmSync(tmp, { force: true });
  }
  return { keys, bytes: sink.bytes, durationMs: performance.now() - started };
}
