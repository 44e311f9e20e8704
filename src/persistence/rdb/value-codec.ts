/**
 * A Cairn value to and from its RDB payload (what follows the type byte in an RDB file and in
 * a DUMP payload), in Redis 7.0's encodings.
 *
 * Writing picks what Redis 7.0's rdbSaveObject writes for the value's encoding (the one OBJECT
 * ENCODING reports, which follows the *-max-listpack-* and set-max-intset-entries limits and
 * Redis's one-way conversions): STRING; LIST_QUICKLIST_2 for every list; SET_INTSET or SET;
 * ZSET_LISTPACK or ZSET_2 (members from the highest score down, as Redis walks its skiplist);
 * HASH_LISTPACK or HASH. Listpacks, intsets and skiplist order are Redis's own, so those
 * payloads are Redis's bytes; a hashtable's order is Cairn's.
 *
 * Reading takes every type code Redis 7.0 reads (modules excepted) and leaves the value in the
 * encoding Redis would give it after loading (rdbLoadObject): a packed hash or sorted set stays
 * packed unless it has too many elements, a hash or sorted set stored in full is packed when it
 * fits all the limits, and so on. Duplicates, empty values and malformed encodings are
 * RdbFormatError (Redis with sanitize-dump-payload yes refuses the same).
 */
import { type EncodingLimits, isCollection, type StoredValue } from '../../engine/values/collection.js';
import { HashValue } from '../../engine/values/hash.js';
import { ListValue } from '../../engine/values/list.js';
import { SetValue } from '../../engine/values/set.js';
import { StreamValue } from '../../engine/values/stream.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { formatDouble } from '../../util/double.js';
import { RdbFormatError, RdbType } from './constants.js';
import { decodeIntset, encodeIntset } from './intset.js';
import { itemLatin1, ListpackBuilder, type ListpackItem, walkListpack } from './listpack.js';
import { decodeListItems, encodeQuicklist } from './quicklist.js';
import { type RdbReader, strtodPrefix } from './reader.js';
import { decodeStream, encodeStream } from './stream-codec.js';
import type { RdbWriter } from './writer.js';
import { decodeZiplist, decodeZipmap } from './ziplist.js';

export interface EncodeOptions {
  /** list-max-listpack-size: how list nodes are cut (default -2). */
  listMaxListpackSize?: number;
  /** list-compress-depth (default 0). */
  listCompressDepth?: number;
  /** rdbcompression: LZF for strings over 20 bytes (default true). */
  compress?: boolean;
}

export interface DecodeOptions {
  /** The encoding limits in force (CONFIG: hash-max-listpack-*, set-max-intset-entries, ...). */
  limits: EncodingLimits;
}

/** double2ll's range: an integral score within 2^62 is a listpack integer. */
const LISTPACK_INT_SCORE_LIMIT = 2 ** 62;
/** Limits that convert nothing: fitting against them only settles what was read. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** Write `value`'s payload; returns its RDB type code (the caller writes it before, as DUMP does). */
export function encodeValue(w: RdbWriter, value: StoredValue, opts: EncodeOptions = {}): number {
  const compress = opts.compress ?? true;
  if (!isCollection(value)) {
    w.string(value, { compress });
    return RdbType.STRING;
  }
  if (value instanceof ListValue) {
    const items = (function* () {
      for (let i = 0; i < value.size(); i++) yield value.at(i);
    })();
    const fill = opts.listMaxListpackSize ?? -2;
    encodeQuicklist(w, items, { fill, compressDepth: opts.listCompressDepth ?? 0, compress });
    return RdbType.LIST_QUICKLIST_2;
  }
  if (value instanceof SetValue) {
    if (value.encoding() === 'intset') {
      w.string(encodeIntset([...value.values()].map((m) => BigInt(m))), { compress });
      return RdbType.SET_INTSET;
    }
    w.length(value.size());
    for (const m of value.values()) w.stringLatin1(m, { compress });
    return RdbType.SET;
  }
  if (value instanceof HashValue) {
    if (value.encoding() === 'listpack') {
      const lp = new ListpackBuilder();
      for (const [f, v] of value.entries()) lp.append(f).append(v);
      w.string(lp.finish(), { compress });
      return RdbType.HASH_LISTPACK;
    }
    w.length(value.size());
    for (const [f, v] of value.entries()) w.stringLatin1(f, { compress }).stringLatin1(v, { compress });
    return RdbType.HASH;
  }
  if (value instanceof ZSetValue) {
    if (value.encoding() === 'listpack') {
      const lp = new ListpackBuilder();
      for (const [m, s] of value.entries()) {
        lp.append(m);
        // zzlInsertAt: an integral score within double2ll's range as an integer, else d2string.
        if (Number.isInteger(s) && Math.abs(s) <= LISTPACK_INT_SCORE_LIMIT) lp.appendInt(BigInt(s));
        else lp.append(formatDouble(s));
      }
      w.string(lp.finish(), { compress });
      return RdbType.ZSET_LISTPACK;
    }
    w.length(value.size());
    for (let x = value.last(); x !== 0; x = value.prev(x))
      w.stringLatin1(value.memberAt(x), { compress }).binaryDouble(value.scoreAt(x));
    return RdbType.ZSET_2;
  }
  if (value instanceof StreamValue) return encodeStream(w, value, { compress });
  throw new RdbFormatError(`cannot encode a ${value.type} value`);
}

/** Read a payload of RDB type `type` into a Cairn value (a string's bytes or a collection). */
export function decodeValue(r: RdbReader, type: number, opts: DecodeOptions): StoredValue {
  switch (type) {
    case RdbType.STRING:
      return r.string();
    case RdbType.LIST:
    case RdbType.LIST_ZIPLIST:
    case RdbType.LIST_QUICKLIST:
    case RdbType.LIST_QUICKLIST_2: {
      const l = new ListValue();
      for (const item of decodeListItems(r, type)) l.pushTail(item);
      return l;
    }
    case RdbType.SET: {
      const s = new SetValue();
      for (let n = r.length(); n > 0; n--) if (!s.add(r.stringLatin1())) throw dup('set');
      return nonEmpty(s);
    }
    case RdbType.SET_INTSET: {
      const s = new SetValue();
      for (const v of decodeIntset(r.stringView())) s.add(v.toString());
      return s;
    }
    case RdbType.ZSET:
    case RdbType.ZSET_2:
      return readSkiplistZset(r, type === RdbType.ZSET_2);
    case RdbType.ZSET_ZIPLIST:
    case RdbType.ZSET_LISTPACK:
      return packedZset(packedPairs(r, type === RdbType.ZSET_ZIPLIST), opts.limits);
    case RdbType.HASH: {
      const h = new HashValue();
      for (let n = r.length(); n > 0; n--) if (!h.set(r.stringLatin1(), r.stringLatin1())) throw dup('hash');
      return nonEmpty(h);
    }
    case RdbType.HASH_ZIPLIST:
    case RdbType.HASH_LISTPACK:
      return packedHash(packedPairs(r, type === RdbType.HASH_ZIPLIST), opts.limits, false);
    case RdbType.HASH_ZIPMAP: {
      const pairs: Array<[string, string]> = decodeZipmap(r.stringView()).map(([f, v]) => [
        f.toString('latin1'),
        v.toString('latin1'),
      ]);
      // A zipmap hash is converted when a field or value is too long, too (rdbLoadObject).
      return packedHash(pairs, opts.limits, true);
    }
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
      return decodeStream(r, type);
    case RdbType.MODULE:
    case RdbType.MODULE_2:
      throw new RdbFormatError('module values are not supported');
    default:
      throw new RdbFormatError(`unknown RDB value type ${type}`);
  }
}

function dup(what: string): RdbFormatError {
  return new RdbFormatError(`duplicate ${what} members`);
}

function nonEmpty<T extends { size(): number }>(v: T): T {
  if (v.size() === 0) throw new RdbFormatError('empty value');
  return v;
}

/** The elements of a packed (ziplist or listpack) hash or sorted set, in pairs. */
function packedPairs(r: RdbReader, ziplist: boolean): Array<[string, ListpackItem]> {
  const data = r.stringView();
  const items: ListpackItem[] = ziplist ? decodeZiplist(data) : [];
  if (!ziplist) walkListpack(data, (it) => items.push(it));
  if (items.length % 2 !== 0) throw new RdbFormatError('odd number of elements in a packed pair list');
  const pairs: Array<[string, ListpackItem]> = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([itemLatin1(items[i]), items[i + 1]]);
  return pairs;
}

/**
 * A packed hash: stays packed unless it has more fields than hash-max-listpack-entries (or,
 * from a zipmap, a field or value longer than hash-max-listpack-value).
 */
function packedHash(
  pairs: Array<[string, ListpackItem | string]>,
  limits: EncodingLimits,
  checkLengths: boolean,
): HashValue {
  const h = new HashValue();
  for (const [f, v] of pairs) if (!h.set(f, typeof v === 'string' ? v : itemLatin1(v))) throw dup('hash');
  nonEmpty(h);
  // Settle the lengths written so far; the store then checks the field count only.
  if (!checkLengths)
    h.fitEncoding({ ...limits, hashMaxListpackEntries: NO_LIMIT, hashMaxListpackValue: NO_LIMIT });
  return h;
}

/** A packed sorted set: stays packed unless it has more members than zset-max-listpack-entries. */
function packedZset(pairs: Array<[string, ListpackItem]>, limits: EncodingLimits): ZSetValue {
  const z = new ZSetValue();
  for (const [m, sv] of pairs) {
    // zzlGetScore: an integer as it is, a string through strtod.
    const score = typeof sv === 'bigint' ? Number(sv) : (strtodPrefix(sv.toString('latin1')) ?? 0);
    if (Number.isNaN(score)) throw new RdbFormatError('sorted set with a NaN score');
    if (!z.add(m, score)) throw dup('sorted set');
  }
  nonEmpty(z);
  z.fitEncoding({ ...limits, zsetMaxListpackValue: NO_LIMIT });
  return z;
}

/** ZSET / ZSET_2: a skiplist, packed after loading when it fits every limit (zsetConvert). */
function readSkiplistZset(r: RdbReader, binary: boolean): ZSetValue {
  const z = new ZSetValue();
  z.big = true; // as loaded; the store packs it when it fits (and -0 becomes 0 then)
  for (let n = r.length(); n > 0; n--) {
    const m = r.stringLatin1();
    const score = binary ? r.binaryDouble() : r.legacyDouble();
    if (Number.isNaN(score)) throw new RdbFormatError('sorted set with a NaN score');
    if (!z.add(m, score)) throw dup('sorted set');
  }
  return nonEmpty(z);
}
