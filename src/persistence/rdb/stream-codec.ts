/**
 * Streams in RDB form (rdb.c rdbSaveObject / rdbLoadObject): Redis 7.0 writes
 * STREAM_LISTPACKS_2 (19) and reads it and STREAM_LISTPACKS (15, Redis 5 and 6).
 *
 *   length nodes, each: string master ID (16 bytes, big endian ms then seq), string listpack
 *   length entries, length last-id ms, seq
 *   (19 only) length first-id ms, seq, length max-deleted-id ms, seq, length entries-added
 *   length groups, each (by name): string name, length last-id ms, seq,
 *     (19 only) length entries-read (-1 as 2^64-1),
 *     length pending, each (by ID): 16-byte ID, ms delivery time (8 bytes LE), length count
 *     length consumers, each (by name): string name, ms seen-time, length pending, each: 16-byte ID
 *
 * Cairn's stream nodes are Redis's listpacks byte for byte, so they are written as they are and
 * a payload's bytes are Redis's. Reading checks every listpack whole (stream-node-load.ts) and
 * the stream around them: the length matches the live entries, the last ID is not below an
 * entry, a pending entry has exactly one consumer. Anything else is RdbFormatError.
 */
import { StreamValue } from '../../engine/values/stream.js';
import type { ConsumerGroup } from '../../engine/values/stream-groups.js';
import { compareIds, MAX_ID, type StreamID } from '../../engine/values/stream-id.js';
import { nodesFromListpacks } from '../../engine/values/stream-node-load.js';
import { RdbFormatError, RdbType } from './constants.js';
import type { RdbReader } from './reader.js';
import type { RdbWriter, StringOptions } from './writer.js';

const ID_BYTES = 16;

function idBytes(id: StreamID): Buffer {
  const b = Buffer.allocUnsafe(ID_BYTES);
  b.writeBigUInt64BE(id.ms, 0);
  b.writeBigUInt64BE(id.seq, 8);
  return b;
}

function writeId(w: RdbWriter, id: StreamID): void {
  w.length(id.ms).length(id.seq);
}

/** Write a stream's payload; returns its RDB type code. */
export function encodeStream(w: RdbWriter, s: StreamValue, opts: StringOptions = {}): number {
  w.length(s.nodes.length);
  for (const n of s.nodes) w.string(idBytes(n.master), opts).string(n.listpack(), opts);
  w.length(s.length);
  writeId(w, s.lastId);
  writeId(w, s.firstId);
  writeId(w, s.maxDeletedId);
  w.length(s.entriesAdded);
  w.length(s.groups.size);
  for (const g of s.sortedGroups()) writeGroup(w, g, opts);
  return RdbType.STREAM_LISTPACKS_2;
}

function writeGroup(w: RdbWriter, g: ConsumerGroup, opts: StringOptions): void {
  w.stringLatin1(g.name, opts);
  writeId(w, g.lastId);
  w.length(BigInt.asUintN(64, g.entriesRead));
  w.length(g.pel.size);
  for (const nack of g.pendingFrom()) {
    w.bytes(idBytes(nack.id));
    w.millisecondTime(nack.deliveryTime);
    w.length(BigInt.asUintN(64, nack.deliveryCount));
  }
  const consumers = g.sortedConsumers();
  w.length(consumers.length);
  for (const c of consumers) {
    w.stringLatin1(c.name, opts);
    w.millisecondTime(c.seenTime);
    w.length(c.pel.size);
    for (const id of c.pel.ids()) w.bytes(idBytes(id));
  }
}

/** A 16-byte ID as Redis keys its PELs (big endian ms then seq). */
function readRawId(r: RdbReader): StreamID {
  const b = r.bytes(ID_BYTES);
  return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
}

function readId(r: RdbReader): StreamID {
  const ms = r.lengthBig();
  return { ms, seq: r.lengthBig() };
}

function fail(what: string): never {
  throw new RdbFormatError(`stream: ${what}`);
}

/** Read a stream payload of RDB type `type` (15 or 19). */
export function decodeStream(r: RdbReader, type: number): StreamValue {
  if (type !== RdbType.STREAM_LISTPACKS && type !== RdbType.STREAM_LISTPACKS_2) fail(`unknown type ${type}`);
  const v2 = type === RdbType.STREAM_LISTPACKS_2;
  const s = new StreamValue();
  const parts: { master: StreamID; lp: Buffer }[] = [];
  for (let n = r.length(); n > 0; n--) {
    const key = r.stringView();
    if (key.length !== ID_BYTES) fail('node key entry is not the size of a stream ID');
    const master = { ms: key.readBigUInt64BE(0), seq: key.readBigUInt64BE(8) };
    parts.push({ master, lp: r.string() });
  }
  try {
    for (const node of nodesFromListpacks(parts)) s.pushNode(node);
  } catch (e) {
    if (e instanceof RangeError) fail(e.message);
    throw e;
  }
  const length = r.lengthBig();
  if (length !== BigInt(s.length)) fail('length inconsistent with the entries');
  s.lastId = readId(r);
  const last = s.nodes[s.nodes.length - 1];
  if (last !== undefined && compareIds(last.lastId, s.lastId) > 0) fail('last ID below an entry');
  if (v2) {
    s.firstId = readId(r);
    s.maxDeletedId = readId(r);
    s.entriesAdded = r.lengthBig();
  } else {
    // As Redis migrates an older stream: the counters start from what is there.
    s.entriesAdded = BigInt(s.length);
    s.firstId = s.firstLiveId() ?? MAX_ID;
  }
  for (let n = r.length(); n > 0; n--) readGroup(r, s, v2);
  return s;
}

function readGroup(r: RdbReader, s: StreamValue, v2: boolean): void {
  const name = r.stringLatin1();
  const lastId = readId(r);
  const entriesRead = v2 ? BigInt.asIntN(64, r.lengthBig()) : s.entriesReadAt(lastId);
  const g = s.createGroup(name, lastId, entriesRead);
  if (g === null) fail('duplicated consumer group name');
  for (let n = r.length(); n > 0; n--) {
    const id = readRawId(r);
    const time = r.millisecondTime();
    if (!g.addPending(id, time, BigInt.asIntN(64, r.lengthBig()), null)) fail('duplicated global PEL entry');
  }
  for (let n = r.length(); n > 0; n--) {
    const c = g.createConsumer(r.stringLatin1(), 0);
    if (c === null) fail('duplicate consumer');
    c.seenTime = r.millisecondTime();
    for (let p = r.length(); p > 0; p--) {
      const id = readRawId(r);
      const nack = g.pending(id);
      if (nack === undefined) fail('consumer entry not found in group global PEL');
      if (nack.consumer !== null) fail('duplicated consumer PEL entry');
      g.update(id, null, null, c);
    }
  }
  if (g.unowned() !== 0) fail('PEL entry without consumer');
}
