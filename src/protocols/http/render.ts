/**
 * Protocol-neutral replies to JSON for the command API (Upstash REST compatible). Shapes follow
 * RESP2, which is what Upstash speaks and what its client decodes: maps become flat arrays,
 * doubles strings (the RESP2 bulk text, `0.10000000000000001`), booleans 1/0; the RESP3
 * shapes are an opt-in (render3.ts). JSON text is written by hand so that integers outside the
 * safe range (bigint replies) keep every digit.
 */
import { isUtf8 } from 'node:buffer';
import {
  BigNumberReply,
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NO_REPLY,
  NULL_ARRAY,
  PushReply,
  type Reply,
  SequenceReply,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from '../../commands/reply.js';
// The RESP2 bulk text of a double (`%.17g`, `inf`): Upstash answers what a RESP2 client reads.
import { formatDouble } from '../../util/double.js';

/**
 * With `Upstash-Encoding: base64` every string is base64 except the status `OK` (the Upstash
 * client special-cases it). Without it, strings are UTF-8 text; bytes that are not valid UTF-8
 * are replaced (U+FFFD), as Upstash does: binary callers ask for base64.
 */
function str(s: string, base64: boolean): string {
  return JSON.stringify(base64 ? Buffer.from(s, 'utf8').toString('base64') : s);
}

function bytes(b: Buffer, base64: boolean): string {
  if (base64) return `"${b.toString('base64')}"`;
  return JSON.stringify(b.toString('utf8'));
}

/** JSON text of one reply value. Errors nested in arrays become `{"error": "..."}`. */
export function replyJson(r: Reply, base64: boolean): string {
  if (r === null || r === NULL_ARRAY || r === NO_REPLY) return 'null';
  if (Buffer.isBuffer(r)) return bytes(r, base64);
  if (typeof r === 'number') return Number.isFinite(r) ? String(r) : 'null';
  if (typeof r === 'bigint') return r.toString();
  if (Array.isArray(r)) return list(r, base64);
  if (r instanceof SimpleReply) return r.value === 'OK' ? '"OK"' : str(r.value, base64);
  if (r instanceof ErrorReply) return `{"error":${JSON.stringify(r.message)}}`;
  if (r instanceof DoubleReply) return str(r.text ?? formatDouble(r.value), base64);
  if (r instanceof BooleanReply) return r.value ? '1' : '0';
  if (r instanceof MapReply) {
    const flat: Reply[] = [];
    for (const [k, v] of r.entries) flat.push(k, v);
    return list(flat, base64);
  }
  if (r instanceof SetReply || r instanceof PushReply) return list(r.items, base64);
  if (r instanceof SequenceReply) return list(r.replies, base64);
  if (r instanceof VerbatimReply) return str(r.text, base64);
  if (r instanceof BigNumberReply) return str(r.value, base64);
  return 'null';
}

function list(items: readonly Reply[], base64: boolean): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += replyJson(items[i], base64);
  }
  return `${out}]`;
}

/** `{"result": ...}` or `{"error": "..."}`, one entry of the command API's answers. */
export function resultJson(r: Reply, base64: boolean): string {
  if (r instanceof ErrorReply) return `{"error":${JSON.stringify(r.message)}}`;
  return `{"result":${replyJson(r, base64)}}`;
}

/** The resource API's error body: `{"error": {"code", "message"}}` from the shared table. */
export function errorBody(err: ErrorReply): { error: { code: string; message: string } } {
  return { error: { code: err.code, message: err.text } };
}

/** The bytes of a bulk reply as text when they are valid UTF-8. */
export function utf8OrNull(b: Buffer): string | null {
  return isUtf8(b) ? b.toString('utf8') : null;
}
