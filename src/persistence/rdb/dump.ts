/**
 * DUMP payloads (cluster.c createDumpPayload / verifyDumpPayload): the value's RDB type byte
 * and payload, then a footer of the RDB version (2 bytes, little endian) and the CRC-64 of
 * everything before the CRC (8 bytes, little endian). FUNCTION DUMP uses the same footer.
 */
import type { StoredValue } from '../../engine/values/collection.js';
import { isObjectType, RDB_VERSION, RdbFormatError } from './constants.js';
import { Crc64 } from './crc64.js';
import { RdbReader } from './reader.js';
import { type DecodeOptions, decodeValue, type EncodeOptions, encodeValue } from './value-codec.js';
import { RdbWriter } from './writer.js';

/** RDB version (2) + CRC-64 (8). */
export const DUMP_FOOTER_BYTES = 10;

/** Append the footer to a body written in `w`: the payload's bytes. */
export function sealDumpPayload(w: RdbWriter): Buffer {
  w.u16le(RDB_VERSION);
  const body = w.peek();
  const crc = new Crc64().update(body).digest();
  w.bytes(crc);
  return Buffer.from(w.finish());
}

/**
 * verifyDumpPayload: the payload's RDB version (at most ours) and checksum are right. With
 * `skipChecksum` only the version is checked (Redis's skip-checksum-validation, a test knob).
 */
export function verifyDumpPayload(payload: Uint8Array, skipChecksum = false): boolean {
  if (payload.length < DUMP_FOOTER_BYTES) return false;
  const footer = payload.length - DUMP_FOOTER_BYTES;
  const version = payload[footer] | (payload[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  if (skipChecksum) return true;
  const crc = new Crc64().update(payload, 0, footer + 2).digest();
  return Buffer.compare(crc, payload.subarray(footer + 2)) === 0;
}

/** The bytes before the footer (no checks: call verifyDumpPayload first). */
export function dumpPayloadBody(payload: Buffer): Buffer {
  return payload.subarray(0, Math.max(0, payload.length - DUMP_FOOTER_BYTES));
}

/** DUMP: the serialized form of a value. */
export function createDumpPayload(value: StoredValue, opts: EncodeOptions = {}): Buffer {
  const w = new RdbWriter();
  w.u8(0); // the type byte, known once the payload is written
  const type = encodeValue(w, value, opts);
  w.peek()[0] = type;
  return sealDumpPayload(w);
}

/**
 * RESTORE's reading of a verified payload: the type byte (an object type), then the value.
 * As in Redis, the reader runs over the whole payload, footer included (a value may end in
 * it), and bytes left after the value are ignored. RdbFormatError when the payload is
 * malformed ("Bad data format").
 */
export function parseDumpPayload(payload: Buffer, opts: DecodeOptions): StoredValue {
  const r = new RdbReader(payload);
  const type = r.u8();
  if (!isObjectType(type)) throw new RdbFormatError(`not a value type: ${type}`);
  return decodeValue(r, type, opts);
}
