/**
 * Reading a whole RDB file (rdb.c rdbLoadRio): the "REDIS" magic and 4-digit version, then
 * opcodes (AUX fields, SELECTDB, RESIZEDB, EXPIRETIME(_MS), IDLE, FREQ, FUNCTION2) and keys,
 * up to EOF and, from version 5 on, the CRC-64 of everything before it (0 when the writer had
 * `rdbchecksum no`). Records are handed to a sink one at a time; the caller decides where they
 * go. Any problem is an RdbFileError naming the file, the record (number, database, key) and the
 * byte offset where reading stopped.
 */
import type { EncodingLimits, StoredValue } from '../../engine/values/collection.js';
import { isObjectType, RDB_VERSION, RdbFormatError, RdbOpcode } from './constants.js';
import { FileRdbReader } from './file-reader.js';
import { decodeValue } from './value-codec.js';

const MAGIC = 'REDIS';
/** Module value types (RDB_TYPE_MODULE_PRE_GA, RDB_TYPE_MODULE_2). */
const MODULE_TYPES = new Set([6, 7]);
/** Hand control back to the event loop this often while loading, ms. */
const YIELD_EVERY_MS = 20;

export class RdbFileError extends Error {
  override name = 'RdbFileError';
}

export interface RdbRecord {
  db: number;
  key: Buffer;
  value: StoredValue;
  /** Unix ms; 0 when the key has no TTL. */
  expireAt: number;
  /** LRU idle seconds (IDLE opcode) or -1. */
  idleSeconds: number;
  /** LFU counter (FREQ opcode) or -1. */
  freq: number;
}

export interface RdbSink {
  /** One key. Throwing stops the read (the error is reported with the record's position). */
  record(r: RdbRecord): void;
  /** A function library's code (FUNCTION2). */
  functionLibrary?(code: Buffer): void;
  aux?(key: string, value: string): void;
  /** RESIZEDB: database `db` is about to receive `keys` keys. */
  resize?(db: number, keys: number): void;
}

export interface RdbReadResult {
  version: number;
  records: number;
  bytes: number;
  aux: Map<string, string>;
}

export interface RdbProgress {
  bytes: number;
  total: number;
  records: number;
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function printable(key: Buffer): string {
  const s = key.toString('latin1');
  return s.length > 64 ? `${JSON.stringify(s.slice(0, 64))}...` : JSON.stringify(s);
}

export async function readRdbFile(
  path: string,
  sink: RdbSink,
  opts: { limits: EncodingLimits; onProgress?: (p: RdbProgress) => void },
): Promise<RdbReadResult> {
  let r: FileRdbReader;
  try {
    r = new FileRdbReader(path);
  } catch (e) {
    throw new RdbFileError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const aux = new Map<string, string>();
  let records = 0;
  let db = 0;
  let key: Buffer | null = null;
  const where = () =>
    key === null
      ? `after record ${records} (byte ${r.pos})`
      : `record ${records + 1} (database ${db}, key ${printable(key)}, byte ${r.pos})`;
  try {
    let magic: string;
    let version: number;
    try {
      magic = r.bytes(5).toString('latin1');
      const v = r.bytes(4).toString('latin1');
      version = /^\d{4}$/.test(v) ? Number(v) : Number.NaN;
    } catch {
      throw new RdbFileError(`${path} is not an RDB file (too short)`);
    }
    if (magic !== MAGIC || Number.isNaN(version))
      throw new RdbFileError(`${path} is not an RDB file (it does not start with REDIS and a version)`);
    if (version < 1 || version > RDB_VERSION)
      throw new RdbFileError(
        `${path} has RDB format version ${version}; Cairn reads versions 1 to ${RDB_VERSION} (Redis up to 7.0)`,
      );
    let expireAt = 0;
    let idleSeconds = -1;
    let freq = -1;
    let lastYield = performance.now();
    for (;;) {
      key = null;
      const type = r.u8();
      if (type === RdbOpcode.EOF) break;
      switch (type) {
        case RdbOpcode.EXPIRETIME:
          expireAt = r.secondTime() * 1000;
          continue;
        case RdbOpcode.EXPIRETIME_MS:
          expireAt = r.millisecondTime();
          continue;
        case RdbOpcode.IDLE:
          idleSeconds = r.length();
          continue;
        case RdbOpcode.FREQ:
          freq = r.u8();
          continue;
        case RdbOpcode.SELECTDB:
          db = r.length();
          continue;
        case RdbOpcode.RESIZEDB: {
          const keys = r.length();
          r.length();
          sink.resize?.(db, keys);
          continue;
        }
        case RdbOpcode.AUX: {
          const k = r.string().toString('latin1');
          const v = r.string().toString('latin1');
          aux.set(k, v);
          sink.aux?.(k, v);
          continue;
        }
        case RdbOpcode.FUNCTION2:
          sink.functionLibrary?.(r.string());
          continue;
        case RdbOpcode.FUNCTION:
          throw new RdbFormatError(
            'it holds functions in the format of Redis 7.0 release candidates, which Redis 7.0 cannot read either',
          );
        case RdbOpcode.MODULE_AUX:
          throw new RdbFormatError('it holds module data, which Cairn does not support');
      }
      if (MODULE_TYPES.has(type)) {
        key = r.string();
        throw new RdbFormatError('a module value, which Cairn does not support');
      }
      if (!isObjectType(type)) throw new RdbFormatError(`unknown value type or opcode ${type}`);
      key = r.string();
      const value = decodeValue(r, type, { limits: opts.limits });
      sink.record({ db, key, value, expireAt, idleSeconds, freq });
      records++;
      expireAt = 0;
      idleSeconds = -1;
      freq = -1;
      if ((records & 1023) === 0 && performance.now() - lastYield >= YIELD_EVERY_MS) {
        opts.onProgress?.({ bytes: r.pos, total: r.size, records });
        await yieldToLoop();
        lastYield = performance.now();
      }
    }
    key = null;
    if (version >= 5) {
      const computed = r.checksum();
      const stored = r.bytes(8);
      const zero = stored.every((b) => b === 0);
      if (!zero && !stored.equals(computed))
        throw new RdbFormatError(
          `wrong checksum (file says ${stored.toString('hex')}, contents give ${computed.toString('hex')})`,
        );
    }
    opts.onProgress?.({ bytes: r.pos, total: r.size, records });
    return { version, records, bytes: r.pos, aux };
  } catch (e) {
    if (e instanceof RdbFileError) throw e;
    throw new RdbFileError(`cannot read ${path}: ${where()}: ${(e as Error).message}`, { cause: e });
  } finally {
    r.close();
  }
}
