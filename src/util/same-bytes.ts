/** Longer byte strings are compared by Buffer.compare (native); shorter ones in JS. */
const NATIVE_COMPARE_MIN_BYTES = 64;

/**
 * Whether two byte strings are equal. For the few bytes of a name, a SHA or a field, the loop
 * costs less than the call into C++ that Buffer.equals makes.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (n >= NATIVE_COMPARE_MIN_BYTES) return Buffer.compare(a, b) === 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
