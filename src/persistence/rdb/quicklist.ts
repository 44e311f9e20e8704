/**
 * Lists in RDB form. Redis 7.0 writes every list as LIST_QUICKLIST_2: the node count, then per
 * node its container (2 = a listpack, 1 = one plain element) and its bytes as an RDB string.
 * Cairn keeps no quicklist, so the nodes are cut as Redis's quicklistPushTail cuts them while
 * a list is built by RPUSH (list-max-listpack-size: a size class when negative, an entry count
 * when positive), and with list-compress-depth > 0 the inner nodes are LZF-compressed as
 * __quicklistCompressNode would. A list built that way in Redis dumps to the same bytes.
 *
 * Reading takes every list type Redis 7.0 reads: LIST (1), LIST_ZIPLIST (10), LIST_QUICKLIST
 * (14, ziplist nodes) and LIST_QUICKLIST_2 (18).
 */

import {
  QUICKLIST_NODE_CONTAINER_PACKED,
  QUICKLIST_NODE_CONTAINER_PLAIN,
  RdbFormatError,
  RdbType,
} from './constants.js';
import { itemLatin1, ListpackBuilder, walkListpack } from './listpack.js';
import { lzfCompress } from './lzf.js';
import type { RdbReader } from './reader.js';
import type { RdbWriter } from './writer.js';
import { decodeZiplist } from './ziplist.js';

/** quicklist.c's optimization_level: node size limits for fill -1 .. -5, bytes. */
const OPTIMIZATION_LEVEL_BYTES = [4096, 8192, 16384, 32768, 65536];
/** SIZE_SAFETY_LIMIT: a count-limited node never grows past this, bytes. */
const SIZE_SAFETY_LIMIT_BYTES = 8192;
/** SIZE_ESTIMATE_OVERHEAD: what one more element is assumed to add besides its bytes. */
const SIZE_ESTIMATE_OVERHEAD_BYTES = 8;
/** packed_threshold: elements this large get a plain node of their own (1 GB). */
const PACKED_THRESHOLD_BYTES = 1 << 30;
/** MIN_COMPRESS_BYTES / MIN_COMPRESS_IMPROVE of __quicklistCompressNode. */
const MIN_COMPRESS_BYTES = 48;
const MIN_COMPRESS_IMPROVE_BYTES = 8;

export interface QuicklistOptions {
  /** list-max-listpack-size (default -2: 8 kB nodes). */
  fill: number;
  /** list-compress-depth (default 0: no node compressed). */
  compressDepth: number;
  /** rdbcompression: LZF for uncompressed node bytes too (default true). */
  compress?: boolean;
}

/** _quicklistNodeAllowInsert for a packed node of `nodeBytes` and `count` elements. */
function allowInsert(nodeBytes: number, count: number, fill: number, sz: number): boolean {
  const newSz = nodeBytes + sz + SIZE_ESTIMATE_OVERHEAD_BYTES;
  if (fill < 0) {
    const offset = -fill - 1;
    if (offset < OPTIMIZATION_LEVEL_BYTES.length && newSz <= OPTIMIZATION_LEVEL_BYTES[offset]) return true;
  }
  if (newSz > SIZE_SAFETY_LIMIT_BYTES) return false;
  return count < fill;
}

export interface QuicklistNode {
  plain: boolean;
  bytes: Buffer;
}

/** The nodes quicklistPushTail would build from these elements. */
export function quicklistNodes(items: Iterable<string>, fill: number): QuicklistNode[] {
  const nodes: QuicklistNode[] = [];
  let cur: ListpackBuilder | null = null;
  for (const item of items) {
    const sz = item.length;
    if (sz >= PACKED_THRESHOLD_BYTES) {
      if (cur !== null) nodes.push({ plain: false, bytes: cur.finish() });
      cur = null;
      nodes.push({ plain: true, bytes: Buffer.from(item, 'latin1') });
      continue;
    }
    if (cur === null || !allowInsert(cur.bytes, cur.count, fill, sz)) {
      if (cur !== null) nodes.push({ plain: false, bytes: cur.finish() });
      cur = new ListpackBuilder();
    }
    cur.append(item);
  }
  if (cur !== null) nodes.push({ plain: false, bytes: cur.finish() });
  return nodes;
}

/** Write a list's LIST_QUICKLIST_2 payload (the caller writes the type byte). */
export function encodeQuicklist(w: RdbWriter, items: Iterable<string>, opts: QuicklistOptions): void {
  const nodes = quicklistNodes(items, opts.fill);
  const depth = opts.compressDepth;
  const n = nodes.length;
  w.length(n);
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    w.length(node.plain ? QUICKLIST_NODE_CONTAINER_PLAIN : QUICKLIST_NODE_CONTAINER_PACKED);
    const inner = depth > 0 && i >= depth && i < n - depth;
    if (inner && node.bytes.length >= MIN_COMPRESS_BYTES) {
      const c = lzfCompress(node.bytes, node.bytes.length);
      if (c !== null && c.length + MIN_COMPRESS_IMPROVE_BYTES < node.bytes.length) {
        w.lzfBlob(c, node.bytes.length);
        continue;
      }
    }
    w.string(node.bytes, { compress: opts.compress });
  }
}

/** The elements of a list payload of RDB type `type` (1, 10, 14, 18), as latin1 strings. */
export function decodeListItems(r: RdbReader, type: number): string[] {
  const out: string[] = [];
  const push = (it: Buffer | bigint) => {
    out.push(itemLatin1(it));
  };
  switch (type) {
    case RdbType.LIST:
      for (let n = r.length(); n > 0; n--) out.push(r.stringLatin1());
      break;
    case RdbType.LIST_ZIPLIST:
      for (const it of decodeZiplist(r.stringView())) push(it);
      break;
    case RdbType.LIST_QUICKLIST:
    case RdbType.LIST_QUICKLIST_2:
      for (let n = r.length(); n > 0; n--) {
        let container = QUICKLIST_NODE_CONTAINER_PACKED;
        if (type === RdbType.LIST_QUICKLIST_2) {
          container = r.length();
          if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN)
            throw new RdbFormatError('quicklist integrity check failed');
        }
        const data = r.stringView();
        if (data.length === 0) throw new RdbFormatError('empty quicklist node');
        if (container === QUICKLIST_NODE_CONTAINER_PLAIN) out.push(data.toString('latin1'));
        else if (type === RdbType.LIST_QUICKLIST_2) walkListpack(data, push);
        else for (const it of decodeZiplist(data)) push(it);
      }
      break;
    default:
      throw new RdbFormatError(`not a list type: ${type}`);
  }
  if (out.length === 0) throw new RdbFormatError('empty list');
  return out;
}
