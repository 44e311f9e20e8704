/**
 * A small collection packed into one latin1 string, as Redis packs it into one listpack: every
 * element is a length header then its bytes (`[len][bytes]`, a hash alternates field and value).
 * One flat string costs one heap object and a byte per byte, where a Map costs a table slot and
 * a string object per element: 100k small hashes take about a fifth of the memory. Lookups walk
 * the string (Redis walks its listpack the same way); writes rebuild it in a scratch buffer, so
 * the result is always one flat string that holds no reference to the old one.
 *
 * A length below 255 takes one char; a longer one is 255 then four chars (u32 little-endian).
 */

const LONG = 255;

/** Chars taken by the header of an element of `len` bytes. */
export function headerSize(len: number): number {
  return len < LONG ? 1 : 5;
}

/** The length in the header at `p`. */
export function lengthAt(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c < LONG) return c;
  return (
    s.charCodeAt(p + 1) +
    s.charCodeAt(p + 2) * 0x100 +
    s.charCodeAt(p + 3) * 0x10000 +
    s.charCodeAt(p + 4) * 0x1000000
  );
}

/** Where the element whose header is at `p` ends (the next header). */
export function elementEnd(s: string, p: number): number {
  const len = lengthAt(s, p);
  return p + headerSize(len) + len;
}

/** The bytes of the element whose header is at `p`. */
export function elementAt(s: string, p: number): string {
  const len = lengthAt(s, p);
  const from = p + headerSize(len);
  return s.slice(from, from + len);
}

/** The element at `p` equals `e` (no allocation). */
export function elementEquals(s: string, p: number, e: string): boolean {
  const len = lengthAt(s, p);
  return len === e.length && s.startsWith(e, p + headerSize(len));
}

/** Bytes `s` takes packed (header included). */
export function packedSize(e: string): number {
  return headerSize(e.length) + e.length;
}

let scratch = Buffer.allocUnsafe(4096);

function room(n: number): Buffer {
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  return scratch;
}

function put(buf: Buffer, p: number, e: string): number {
  const n = e.length;
  if (n < LONG) buf[p++] = n;
  else {
    buf[p] = LONG;
    buf.writeUInt32LE(n, p + 1);
    p += 5;
  }
  return p + buf.write(e, p, 'latin1');
}

/** `s` with the packed elements `items` appended. */
export function append(s: string, ...items: string[]): string {
  let size = s.length;
  for (const e of items) size += packedSize(e);
  const buf = room(size);
  let p = buf.write(s, 0, 'latin1');
  for (const e of items) p = put(buf, p, e);
  return buf.toString('latin1', 0, p);
}

/** `s` with the packed elements `items` put before the rest. */
export function prepend(s: string, ...items: string[]): string {
  let head = 0;
  for (const e of items) head += packedSize(e);
  const buf = room(head + s.length);
  let p = 0;
  for (const e of items) p = put(buf, p, e);
  p += buf.write(s, p, 'latin1');
  return buf.toString('latin1', 0, p);
}

/** `s` with chars [from, to) replaced by the packed elements `items`. */
export function splice(s: string, from: number, to: number, ...items: string[]): string {
  let mid = 0;
  for (const e of items) mid += packedSize(e);
  const size = s.length - (to - from) + mid;
  const buf = room(Math.max(size, s.length));
  buf.write(s, 0, 'latin1');
  // Move the tail first (memmove), then write the new elements in the gap.
  buf.copyWithin(from + mid, to, s.length);
  let p = from;
  for (const e of items) p = put(buf, p, e);
  return buf.toString('latin1', 0, size);
}

/** Every element of `s`, in order. */
export function* elements(s: string): Generator<string> {
  for (let p = 0; p < s.length; p = elementEnd(s, p)) yield elementAt(s, p);
}
