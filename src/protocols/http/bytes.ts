/**
 * Bytes in URLs and JSON. Keys and values are bytes, so the HTTP door never trusts the
 * framework's string decoding of paths or query strings: it percent-decodes the raw request
 * target itself, byte for byte, so every byte sequence (invalid UTF-8, NUL, `/` as %2F) is
 * reachable. Going out, bytes that are valid UTF-8 become JSON strings and anything else is
 * base64 and says so.
 */
import { isUtf8 } from 'node:buffer';

export type Encoding = 'utf8' | 'base64';

/** Hex digit value of a char code, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Percent-decode `s[start, end)` to bytes. Characters other than `%XX` are taken as their
 * code unit (the HTTP parser only lets ASCII through in a request target). With `plusIsSpace`
 * (query strings, form encoding) `+` is a space. Returns null on a malformed escape.
 */
export function percentDecode(s: string, start = 0, end = s.length, plusIsSpace = false): Buffer | null {
  const pct = s.indexOf('%', start);
  const plus = plusIsSpace ? s.indexOf('+', start) : -1;
  if ((pct < 0 || pct >= end) && (plus < 0 || plus >= end)) return Buffer.from(s.slice(start, end), 'latin1');
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (i + 2 >= end) return null;
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return null;
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c === 0x2b && plusIsSpace) {
      out[n++] = 0x20;
    } else {
      if (c > 0xff) return null;
      out[n++] = c;
    }
  }
  return out.subarray(0, n);
}

/** Where the path of a request target ends (at `?` or the end). */
export function pathEnd(url: string): number {
  const q = url.indexOf('?');
  return q < 0 ? url.length : q;
}

/**
 * The raw path segments after `skip` leading segments, percent-decoded to bytes; null when one
 * is malformed. `/set/a%2Fb/v` with skip 1 gives [`a/b`, `v`].
 */
export function rawSegments(url: string, skip: number): Buffer[] | null {
  const end = pathEnd(url);
  let i = 1; // after the leading '/'
  for (let s = 0; s < skip; s++) {
    const slash = url.indexOf('/', i);
    if (slash < 0 || slash >= end) return [];
    i = slash + 1;
  }
  const out: Buffer[] = [];
  while (i <= end) {
    let slash = url.indexOf('/', i);
    if (slash < 0 || slash > end) slash = end;
    const seg = percentDecode(url, i, slash);
    if (seg === null) return null;
    out.push(seg);
    i = slash + 1;
  }
  // A trailing slash names no extra (empty) argument: `/get/k/` is `GET k`.
  if (out.length > 0 && url.charCodeAt(end - 1) === 0x2f && out[out.length - 1].length === 0) out.pop();
  return out;
}

/** The segment at `start` up to the next `/` or the end of the path, decoded; null if malformed. */
export function segmentAt(url: string, start: number): Buffer | null {
  const end = pathEnd(url);
  let slash = url.indexOf('/', start);
  if (slash < 0 || slash > end) slash = end;
  return percentDecode(url, start, slash);
}

/**
 * Every value of query parameter `name`, decoded to bytes (`+` as space). Null when a value is
 * malformed. Names are compared after decoding.
 */
export function queryValues(url: string, name: string): Buffer[] | null {
  const q = url.indexOf('?');
  const out: Buffer[] = [];
  if (q < 0) return out;
  let i = q + 1;
  const end = url.length;
  while (i < end) {
    let amp = url.indexOf('&', i);
    if (amp < 0) amp = end;
    let eq = url.indexOf('=', i);
    if (eq < 0 || eq > amp) eq = amp;
    const k = percentDecode(url, i, eq, true);
    if (k === null) return null;
    if (k.length === name.length && k.toString('latin1') === name) {
      const v = eq < amp ? percentDecode(url, eq + 1, amp, true) : Buffer.alloc(0);
      if (v === null) return null;
      out.push(v);
    }
    i = amp + 1;
  }
  return out;
}

/** A JSON-safe form of bytes: the UTF-8 text when valid, else base64. */
export function encodeBytes(b: Buffer): { text: string; encoding: Encoding } {
  if (isUtf8(b)) return { text: b.toString('utf8'), encoding: 'utf8' };
  return { text: b.toString('base64'), encoding: 'base64' };
}

/** Encode a list as a whole: UTF-8 strings when every element is valid UTF-8, else all base64. */
export function encodeList(list: ReadonlyArray<Buffer | null>): {
  items: Array<string | null>;
  encoding: Encoding;
} {
  let utf8 = true;
  for (const b of list) {
    if (b !== null && !isUtf8(b)) {
      utf8 = false;
      break;
    }
  }
  const enc: BufferEncoding = utf8 ? 'utf8' : 'base64';
  return {
    items: list.map((b) => (b === null ? null : b.toString(enc))),
    encoding: utf8 ? 'utf8' : 'base64',
  };
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;

interface WellFormed {
  isWellFormed(): boolean;
}

/**
 * Bytes of a JSON string. JSON may carry lone UTF-16 surrogates (`"\ud800"`), which have no
 * UTF-8 form: refuse them rather than store U+FFFD in their place.
 */
export function textBytes(s: string): Buffer | null {
  return (s as unknown as WellFormed).isWellFormed() ? Buffer.from(s, 'utf8') : null;
}

/**
 * Decode a string sent with `encoding`; null when it is not well-formed text or not valid
 * base64 (padded or url-safe).
 */
export function decodeText(s: string, encoding: Encoding | undefined): Buffer | null {
  if (encoding !== 'base64') return textBytes(s);
  if (BASE64_RE.test(s)) return Buffer.from(s, 'base64');
  if (BASE64URL_RE.test(s) && s.length % 4 !== 1) return Buffer.from(s, 'base64url');
  return null;
}

/**
 * Every `name=value` pair of the query string as bytes, in order (`+` as space); a bare `name`
 * has a null value. Null when something is malformed.
 */
export function queryPairs(url: string): Array<[Buffer, Buffer | null]> | null {
  const q = url.indexOf('?');
  const out: Array<[Buffer, Buffer | null]> = [];
  if (q < 0) return out;
  const end = url.length;
  let i = q + 1;
  while (i < end) {
    let amp = url.indexOf('&', i);
    if (amp < 0) amp = end;
    if (amp > i) {
      let eq = url.indexOf('=', i);
      if (eq < 0 || eq > amp) eq = amp;
      const k = percentDecode(url, i, eq, true);
      const v = eq < amp ? percentDecode(url, eq + 1, amp, true) : null;
      if (k === null || (eq < amp && v === null)) return null;
      out.push([k, v]);
    }
    i = amp + 1;
  }
  return out;
}
