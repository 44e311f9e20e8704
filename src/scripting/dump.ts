/**
 * FUNCTION DUMP / RESTORE payloads in Redis 7.0's format, so a dump moves between Cairn and
 * Redis: for each library the RDB opcode FUNCTION2 (245) and its code as an RDB string (LZF-
 * compressed past 20 bytes when that saves space, as rdbSaveRawString does), then the DUMP
 * footer (RDB version and CRC-64; see persistence/rdb/dump.ts).
 */
import { RdbFormatError, RdbOpcode } from '../persistence/rdb/constants.js';
import { dumpPayloadBody, sealDumpPayload, verifyDumpPayload } from '../persistence/rdb/dump.js';
import { RdbReader } from '../persistence/rdb/reader.js';
import { RdbWriter } from '../persistence/rdb/writer.js';

export { crc64 } from '../persistence/rdb/crc64.js';

/** The payload for these libraries' codes; `compress` is Redis's rdbcompression (default yes). */
export function encodeDump(codes: readonly Buffer[], compress = true): Buffer {
  const w = new RdbWriter();
  for (const code of codes) w.u8(RdbOpcode.FUNCTION2).string(code, { compress });
  return sealDumpPayload(w);
}

/** The library codes in a payload, or null when its version or checksum is wrong or it is malformed. */
export function decodeDump(payload: Buffer): Buffer[] | null {
  if (!verifyDumpPayload(payload)) return null;
  const r = new RdbReader(dumpPayloadBody(payload));
  const codes: Buffer[] = [];
  try {
    while (!r.eof()) {
      if (r.u8() !== RdbOpcode.FUNCTION2) return null;
      codes.push(r.string());
    }
  } catch (e) {
    if (e instanceof RdbFormatError) return null;
    throw e;
  }
  return codes;
}
