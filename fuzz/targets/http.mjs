/**
 * Fuzz target: the HTTP door's decoding of untrusted text (the compiled code in dist/): request
 * targets percent-decoded to key bytes, JSON bodies parsed and validated as the app does, and
 * the bytes <-> JSON text encodings.
 *
 * Byte 0 picks the mode, the rest is the input:
 * - 0: a request target (URL): every decoder runs on it, and what they give back must encode
 *      back to what they read;
 * - 1: a JSON request body: parsed the way the app's JSON parser does (UTF-8 check, plain
 *      JSON.parse), validated against the body schemas with the app's Ajv options, then turned
 *      into command arguments as the routes do; no prototype may gain a property;
 * - 2: bytes: encoded for a JSON answer (UTF-8 text or base64) and decoded back as a request
 *      would send them, which must give the same bytes; and the same bytes read as UTF-16 text
 *      (lone surrogates included) through the request-side decoders.
 */
import { isUtf8 } from 'node:buffer';
import { Ajv } from 'ajv';
import { routableUrl } from '../../dist/protocols/http/app.js';
import {
  decodeText,
  encodeBytes,
  encodeList,
  pathEnd,
  percentDecode,
  queryPairs,
  queryValues,
  rawSegments,
  segmentAt,
  textBytes,
} from '../../dist/protocols/http/bytes.js';
import { toArgv } from '../../dist/protocols/http/routes/commands.js';
import {
  BatchBody,
  CommandBody,
  IncrBody,
  KvPostBody,
  KvPutBody,
  MgetBody,
  SetBody,
  TtlBody,
} from '../../dist/protocols/http/schemas.js';

class Violation extends Error {}

function check(ok, what) {
  if (!ok) throw new Violation(what);
}

// ---- request targets --------------------------------------------------------------------------

/** Percent-encode every byte that is not unreserved: the inverse percentDecode must undo. */
function pctEncode(b) {
  let s = '';
  for (const c of b) {
    const unreserved =
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d;
    s += unreserved ? String.fromCharCode(c) : `%${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

function url(data) {
  const s = data.toString('latin1');
  const d = percentDecode(s);
  if (d !== null) {
    check(d.length <= s.length, 'decoding never grows');
    const again = percentDecode(pctEncode(d));
    check(again?.equals(d), 'percentDecode(pctEncode(b)) is b');
  }
  const segs = rawSegments(s, 0);
  for (let skip = 1; skip <= 3; skip++) rawSegments(s, skip);
  if (segs !== null && s.startsWith('/')) {
    // Segments encoded again and joined give the same segments back. A trailing slash names no
    // argument (`/get/k/` is GET k), so a last empty segment needs one more slash.
    const last = segs.length > 0 && segs[segs.length - 1].length === 0 ? '/' : '';
    const rebuilt = `/${segs.map(pctEncode).join('/')}${last}`;
    const back = rawSegments(rebuilt, 0);
    check(
      back !== null && back.length === segs.length && back.every((b, i) => b.equals(segs[i])),
      'rawSegments round trip',
    );
  }
  for (let i = 0; i < Math.min(s.length, 8); i++) segmentAt(s, i);
  queryValues(s, 'key');
  queryPairs(s);
  const end = pathEnd(s);
  check(end >= 0 && end <= s.length, 'pathEnd within the URL');
  const r = routableUrl(s);
  check(typeof r === 'string', 'routableUrl gives a string');
  if (r !== s) {
    // Rewritten only to hide bytes the router cannot decode: it must decode every one it sees.
    for (const seg of r.slice(0, pathEnd(r)).split('/')) {
      try {
        decodeURIComponent(seg);
      } catch {
        check(false, `router cannot decode a rewritten segment ${JSON.stringify(seg)}`);
      }
    }
    check(r.slice(pathEnd(r)) === s.slice(end), 'the query string is left alone');
  }
}

// ---- JSON bodies ------------------------------------------------------------------------------

// The app's body validator: typed JSON, nothing coerced, defaults filled, extras refused.
const ajv = new Ajv({
  useDefaults: true,
  removeAdditional: false,
  allErrors: false,
  strictTypes: 'log',
  coerceTypes: false,
  logger: false,
});
const VALIDATORS = [KvPutBody, KvPostBody, CommandBody, BatchBody, MgetBody, SetBody, TtlBody, IncrBody].map(
  (s) => ajv.compile(s),
);
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const PROTO_KEYS = PROTOTYPES.map((p) => Reflect.ownKeys(p).length);

function checkPrototypes() {
  for (let i = 0; i < PROTOTYPES.length; i++) {
    check(Reflect.ownKeys(PROTOTYPES[i]).length === PROTO_KEYS[i], 'a built-in prototype gained a property');
  }
  check(Object.getPrototypeOf({}) === Object.prototype, 'object literals keep their prototype');
}

/** What the app's JSON body parser does (app.ts jsonParser); undefined when it refuses the body. */
function parseBody(data) {
  if (data.length === 0 || !isUtf8(data)) return undefined;
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}

function jsonBody(data) {
  const body = parseBody(data);
  if (body === undefined) return;
  for (const validate of VALIDATORS) {
    // Each validator may fill defaults in: give each its own copy, as each request has its own.
    const copy = structuredClone(body);
    if (!validate(copy)) continue;
    if (Array.isArray(copy)) {
      const cmds = copy.length > 0 && Array.isArray(copy[0]) ? copy : [copy];
      for (const cmd of cmds) {
        const argv = toArgv(cmd);
        check(argv === null || argv.length === cmd.length, 'one argument per element');
      }
    } else if (copy !== null && typeof copy === 'object') {
      // PUT /v1/kv: own keys, each key and string value to bytes.
      for (const k of Object.keys(copy)) {
        const kb = textBytes(k);
        check((kb === null) === !k.isWellFormed(), 'a key is refused only when not well-formed');
        if (kb !== null) check(kb.toString('utf8') === k, 'key bytes decode back to the key');
        const v = copy[k];
        if (typeof v === 'string') textBytes(v);
        if (typeof v === 'string' && typeof copy.encoding === 'string') decodeText(v, copy.encoding);
      }
      if (Object.hasOwn(copy, '__proto__')) {
        check(Object.keys(copy).includes('__proto__'), '__proto__ from JSON is an own key like any other');
      }
    }
  }
  checkPrototypes();
}

// ---- bytes and text ---------------------------------------------------------------------------

function bytes(data) {
  const { text, encoding } = encodeBytes(data);
  const back = decodeText(text, encoding);
  check(back?.equals(data), `encodeBytes round trip (${encoding})`);
  const half = data.subarray(0, data.length >> 1);
  const list = encodeList([half, null, data]);
  const enc = list.encoding;
  const b0 = decodeText(list.items[0], enc);
  const b2 = decodeText(list.items[2], enc);
  check(list.items[1] === null, 'null stays null');
  check(b0?.equals(half) && b2?.equals(data), 'encodeList round trip');
  // The same bytes as request text: UTF-16 (with any lone surrogates) and latin1.
  const u16 = data.subarray(0, data.length & ~1).toString('utf16le');
  const t = textBytes(u16);
  check((t === null) === !u16.isWellFormed(), 'textBytes refuses exactly the ill-formed strings');
  for (const s of [u16, data.toString('latin1')]) {
    const b64 = decodeText(s, 'base64');
    if (b64 !== null) check(b64.length <= s.length, 'base64 never grows');
  }
}

const MODES = [url, jsonBody, bytes];

export function fuzz(data) {
  if (data.length === 0) return;
  MODES[data[0] % MODES.length](data.subarray(1));
}
