/**
 * A stream's snapshot form (serial.ts conventions: little endian, strings as u32 length +
 * latin1 bytes; 64-bit numbers as two u32 halves, low first):
 *
 *   u8 format (1)
 *   id last, id recorded-first, id max-deleted, u64 entries-added
 *   u32 nodes, each: id master, u32 bytes, the node's listpack (stream-node.ts)
 *   u32 groups, each: str name, id last-delivered, i64 entries-read,
 *       u32 consumers, each: str name, f64 seen-time
 *       u32 pending, each: id, f64 delivery-time, i64 delivery-count, str consumer
 *
 * Nodes are kept as they are, tombstones included (as Redis's RDB keeps its listpacks), so a
 * reloaded stream trims and reports exactly as before; their bytes are checked whole when read.
 * Format 0 (nodes as u32 entries, each: u8 deleted, id, u32 strings, strings) is still read.
 */
import { SerialReader, SerialWriter } from './serial.js';
import type { StreamValue } from './stream.js';
import { compareIds, type StreamID, streamId } from './stream-id.js';
import { StreamNode } from './stream-node.js';
import { nodeFromListpack } from './stream-node-load.js';

const FORMAT = 1;
const FORMAT_ENTRIES = 0;
const U32 = 0x1_0000_0000n;

function u64(w: SerialWriter, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  w.u32(Number(u % U32)).u32(Number(u / U32));
}

function readU64(r: SerialReader): bigint {
  const lo = BigInt(r.u32());
  return BigInt(r.u32()) * U32 + lo;
}

function id(w: SerialWriter, v: StreamID): void {
  u64(w, v.ms);
  u64(w, v.seq);
}

function readId(r: SerialReader): StreamID {
  const ms = readU64(r);
  return streamId(ms, readU64(r));
}

export function serializeStream(s: StreamValue): Buffer {
  const w = new SerialWriter(256);
  w.u8(FORMAT);
  id(w, s.lastId);
  id(w, s.firstId);
  id(w, s.maxDeletedId);
  u64(w, s.entriesAdded);
  w.u32(s.nodes.length);
  for (const n of s.nodes) {
    id(w, n.master);
    w.blob(n.listpack());
  }
  w.u32(s.groups.size);
  for (const g of s.groups.values()) {
    w.str(g.name);
    id(w, g.lastId);
    u64(w, g.entriesRead);
    w.u32(g.consumers.size);
    for (const c of g.consumers.values()) w.str(c.name).f64(c.seenTime);
    w.u32(g.pel.size);
    for (const nack of g.pendingFrom()) {
      id(w, nack.id);
      w.f64(nack.deliveryTime);
      u64(w, nack.deliveryCount);
      w.str(nack.consumer?.name ?? '');
    }
  }
  return w.done();
}

/** A node in format 0: its entries one by one. */
function readEntries(r: SerialReader): StreamNode {
  let node: StreamNode | null = null;
  const dead: number[] = [];
  const entries = r.u32();
  if (entries === 0) throw new RangeError('empty stream node');
  for (let i = 0; i < entries; i++) {
    if (r.u8() === 1) dead.push(i);
    const eid = readId(r);
    const count = r.u32();
    if (count === 0 || count % 2 !== 0) throw new RangeError('bad stream entry');
    // Written as strings (length and latin1 bytes), read as the bytes they are.
    const f: Buffer[] = [];
    for (let j = 0; j < count; j++) f.push(r.blob());
    if (node === null) node = StreamNode.create(eid, f, 0);
    else if (compareIds(eid, node.lastId) > 0) node.push(eid, f, 0);
    else throw new RangeError('stream entries out of order');
  }
  const n = node as StreamNode;
  for (let i = 0, off = n.first(), j = 0; j < dead.length; i++, off = n.next(off)) {
    if (i !== dead[j]) continue;
    n.kill(off);
    j++;
  }
  n.seal();
  return n;
}

export function deserializeStream(buf: Buffer, s: StreamValue): StreamValue {
  const r = new SerialReader(buf);
  const format = r.u8();
  if (format !== FORMAT && format !== FORMAT_ENTRIES) throw new RangeError('unknown stream format');
  s.lastId = readId(r);
  s.firstId = readId(r);
  s.maxDeletedId = readId(r);
  s.entriesAdded = readU64(r);
  let after: StreamID | null = null;
  for (let n = r.u32(); n > 0; n--) {
    const node: StreamNode =
      format === FORMAT ? nodeFromListpack(readId(r), r.blob(), after) : readEntries(r);
    after = node.lastId;
    s.pushNode(node);
  }
  for (let n = r.u32(); n > 0; n--) {
    const g = s.createGroup(r.str(), readId(r), BigInt.asIntN(64, readU64(r)));
    if (g === null) throw new RangeError('duplicate stream group');
    for (let c = r.u32(); c > 0; c--) g.createConsumer(r.str(), r.f64());
    for (let p = r.u32(); p > 0; p--) {
      const pid = readId(r);
      const time = r.f64();
      const count = BigInt.asIntN(64, readU64(r));
      const owner = g.consumer(r.str());
      if (owner === undefined) throw new RangeError('pending entry of an unknown consumer');
      if (!g.addPending(pid, time, count, owner)) throw new RangeError('duplicate pending entry');
    }
  }
  r.end();
  return s;
}
