/**
 * The command API's opt-in RESP3 rendering (`Cairn-Protocol: 3`, or `?resp=3` on the JSON
 * routes): replies keep their kind as natural JSON. A map is an object (HGETALL
 * `{"f":"v"}`), or an array of `[key, value]` pairs when a key is not a string or a number; a
 * set is an array; a double is a number (`inf`, `-inf` and `nan`, which JSON cannot spell, are
 * strings); a boolean is `true`/`false`. The session runs in RESP3 too, so commands whose
 * shape depends on the protocol answer as for a RESP3 client (ZRANGE ... WITHSCORES gives
 * `[["a",1],["b",2.5]]`).
 */
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

function str(s: string, base64: boolean): string {
  return JSON.stringify(base64 ? Buffer.from(s, 'utf8').toString('base64') : s);
}

function bytes(b: Buffer, base64: boolean): string {
  if (base64) return `"${b.toString('base64')}"`;
  return JSON.stringify(b.toString('utf8'));
}

/** A double as a JSON number; the non-finite ones as Redis spells them. */
export function doubleJson(v: number): string {
  if (Number.isNaN(v)) return '"nan"';
  if (v === Number.POSITIVE_INFINITY) return '"inf"';
  if (v === Number.NEGATIVE_INFINITY) return '"-inf"';
  return Object.is(v, -0) ? '-0' : String(v);
}

/** A map key as JSON object-key text, or null when the key is not a scalar. */
function keyText(k: Reply, base64: boolean): string | null {
  if (Buffer.isBuffer(k)) return bytes(k, base64);
  if (k instanceof SimpleReply) return str(k.value, base64);
  if (k instanceof VerbatimReply) return str(k.text, base64);
  if (typeof k === 'number' || typeof k === 'bigint') return `"${k}"`;
  return null;
}

function map(r: MapReply, base64: boolean): string {
  const keys: string[] = [];
  for (const [k] of r.entries) {
    const t = keyText(k, base64);
    if (t === null) {
      const pairs = r.entries.map(([a, b]) => `[${replyJson3(a, base64)},${replyJson3(b, base64)}]`);
      return `[${pairs.join(',')}]`;
    }
    keys.push(t);
  }
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += `${keys[i]}:${replyJson3(r.entries[i][1], base64)}`;
  }
  return `${out}}`;
}

function list(items: readonly Reply[], base64: boolean): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += replyJson3(items[i], base64);
  }
  return `${out}]`;
}

/** JSON text of one reply in RESP3 shapes. Errors nested in arrays become `{"error": "..."}`. */
export function replyJson3(r: Reply, base64: boolean): string {
  if (r === null || r === NULL_ARRAY || r === NO_REPLY) return 'null';
  if (Buffer.isBuffer(r)) return bytes(r, base64);
  if (typeof r === 'number') return Number.isFinite(r) ? String(r) : 'null';
  if (typeof r === 'bigint') return r.toString();
  if (Array.isArray(r)) return list(r, base64);
  if (r instanceof SimpleReply) return r.value === 'OK' ? '"OK"' : str(r.value, base64);
  if (r instanceof ErrorReply) return `{"error":${JSON.stringify(r.message)}}`;
  if (r instanceof DoubleReply) return doubleJson(r.value);
  if (r instanceof BooleanReply) return r.value ? 'true' : 'false';
  if (r instanceof MapReply) return map(r, base64);
  if (r instanceof SetReply || r instanceof PushReply) return list(r.items, base64);
  if (r instanceof SequenceReply) return list(r.replies, base64);
  if (r instanceof VerbatimReply) return str(r.text, base64);
  if (r instanceof BigNumberReply) return str(r.value, base64);
  return 'null';
}

/** `{"result": ...}` or `{"error": "..."}` in RESP3 shapes. */
export function resultJson3(r: Reply, base64: boolean): string {
  if (r instanceof ErrorReply) return `{"error":${JSON.stringify(r.message)}}`;
  return `{"result":${replyJson3(r, base64)}}`;
}
