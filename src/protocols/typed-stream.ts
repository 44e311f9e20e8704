/**
 * A stream read whole for the doors that answer a value as one document (HTTP
 * `GET /v1/keys/{key}`, gRPC `Get`): XRANGE key - +, every entry with its ID and its
 * field/value pairs in order (a field may repeat in an entry, so pairs, not a map). An empty
 * stream is still a key, so it reads as no entries, not as a missing key.
 */
import type { Reply } from '../commands/reply.js';
import { ErrorReply } from '../errors.js';

export interface StreamEntryValue {
  /** `<ms>-<seq>`. */
  id: string;
  fields: Array<[Buffer, Buffer]>;
}

const word = (s: string) => Buffer.from(s, 'latin1');
const XRANGE = word('XRANGE');
const MIN = word('-');
const MAX = word('+');

export function streamReadArgv(key: Buffer): Buffer[] {
  return [XRANGE, key, MIN, MAX];
}

const malformed = new ErrorReply('INTERNAL', 'ERR unexpected reply to XRANGE');

/** XRANGE's reply ([[id, [field, value, ...]], ...] in both protocols) as entries. */
export function streamEntriesOf(r: Reply): StreamEntryValue[] | ErrorReply {
  if (r instanceof ErrorReply) return r;
  if (!Array.isArray(r)) return malformed;
  const out: StreamEntryValue[] = [];
  for (const e of r) {
    if (!Array.isArray(e) || e.length !== 2 || !Buffer.isBuffer(e[0]) || !Array.isArray(e[1]))
      return malformed;
    const flat = e[1];
    if (flat.length % 2 !== 0) return malformed;
    const fields: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < flat.length; i += 2) {
      const f = flat[i];
      const v = flat[i + 1];
      if (!Buffer.isBuffer(f) || !Buffer.isBuffer(v)) return malformed;
      fields.push([f, v]);
    }
    out.push({ id: e[0].toString('latin1'), fields });
  }
  return out;
}
