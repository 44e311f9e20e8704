/**
 * Stream nodes from listpack bytes that come from outside (an RDB payload, a snapshot): every
 * byte is checked before a node is built on it, so a malformed payload is refused (RangeError)
 * and never gives a node that later reads out of place. What is checked, beyond Redis's own
 * streamValidateListpackIntegrity: the header's byte and element counts, integer encodings
 * where integers belong, flags 0-3, entries whose IDs rise from the node's key, the master
 * entry's `count` and `deleted` matching the entries' flags, and nodes that do not overlap.
 */
import { compareIds, type StreamID } from './stream-id.js';
import {
  checkElement,
  isIntElement,
  LP_EOF,
  LP_HEADER_AND_END_BYTES,
  LP_HEADER_BYTES,
  LP_NUMELE_UNKNOWN,
  readBigInt,
  readInt,
} from './stream-listpack.js';
import { FLAG_DELETED, FLAG_SAMEFIELDS, StreamNode } from './stream-node.js';

/** Counters past this are not believed (a node's listpack is at most 4 GB). */
const MAX_COUNT = 2 ** 31;

function bad(what: string): never {
  throw new RangeError(`malformed stream node: ${what}`);
}

/** Walks the elements of an untrusted listpack. */
class Walker {
  off = LP_HEADER_BYTES;
  elements = 0;
  constructor(
    readonly buf: Buffer,
    readonly endOff: number,
  ) {}

  /** Skip one element of any kind. */
  skip(): number {
    const at = this.off;
    const next = checkElement(this.buf, at, this.endOff);
    if (next < 0) bad('element out of bounds or of unknown encoding');
    this.off = next;
    this.elements++;
    return at;
  }

  /** An integer element as a number (a count: 0 up to MAX_COUNT). */
  count(): number {
    const at = this.skip();
    if (!isIntElement(this.buf, at)) bad('integer expected');
    const v = readInt(this.buf, at);
    if (!(v >= 0 && v <= MAX_COUNT)) bad('count out of range');
    return v;
  }

  /** An integer element as an int64. */
  int64(): bigint {
    const at = this.skip();
    if (!isIntElement(this.buf, at)) bad('integer expected');
    return readBigInt(this.buf, at);
  }
}

/**
 * A node keyed `master` on a copy of `lp`, after checking it whole; `after` is the previous
 * node's last ID (every ID here must be above it).
 */
export function nodeFromListpack(master: StreamID, lp: Uint8Array, after: StreamID | null): StreamNode {
  const size = lp.length;
  if (size < LP_HEADER_AND_END_BYTES) bad('shorter than a listpack header');
  const buf = Buffer.allocUnsafeSlow(size);
  buf.set(lp);
  if (buf.readUInt32LE(0) !== size) bad('total bytes do not match');
  if (buf[size - 1] !== LP_EOF) bad('no end byte');
  if (after !== null && compareIds(master, after) <= 0) bad('nodes overlap');
  const w = new Walker(buf, size - 1);
  const live = w.count();
  const deleted = w.count();
  const masterCount = w.count();
  for (let i = 0; i < masterCount; i++) w.skip();
  if (w.count() !== 0) bad('master entry not terminated by 0');
  const firstOff = w.off;
  const entries = live + deleted;
  if (entries === 0) bad('no entries');
  let prev: StreamID | null = null;
  let dead = 0;
  for (let e = 0; e < entries; e++) {
    const at = w.skip();
    const flags = buf[at];
    if (flags > (FLAG_DELETED | FLAG_SAMEFIELDS)) bad('unknown entry flags');
    if ((flags & FLAG_DELETED) !== 0) dead++;
    const id: StreamID = {
      ms: BigInt.asUintN(64, master.ms + w.int64()),
      seq: BigInt.asUintN(64, master.seq + w.int64()),
    };
    if (compareIds(id, prev ?? master) < (prev === null ? 0 : 1)) bad('entry IDs out of order');
    prev = id;
    let fields = masterCount;
    let lpCount = 3 + masterCount;
    if ((flags & FLAG_SAMEFIELDS) === 0) {
      fields = w.count();
      for (let i = 0; i < fields; i++) w.skip();
      lpCount = 4 + 2 * fields;
    }
    for (let i = 0; i < fields; i++) w.skip();
    if (w.count() !== lpCount) bad('lp-count does not match the entry');
  }
  if (w.off !== size - 1) bad('bytes after the last entry');
  if (dead !== deleted) bad('deleted count does not match the flags');
  const numele = buf.readUInt16LE(4);
  if (numele !== LP_NUMELE_UNKNOWN && numele !== w.elements) bad('element count does not match');
  return new StreamNode({ buf, master, lastId: null, firstOff, masterCount });
}

/** Nodes from [key, listpack] pairs in any order: sorted by key, checked, keys distinct. */
export function nodesFromListpacks(parts: { master: StreamID; lp: Uint8Array }[]): StreamNode[] {
  const sorted = parts.slice().sort((a, b) => compareIds(a.master, b.master));
  const out: StreamNode[] = [];
  let after: StreamID | null = null;
  for (const p of sorted) {
    const node = nodeFromListpack(p.master, p.lp, after);
    out.push(node);
    after = node.lastId;
  }
  return out;
}
