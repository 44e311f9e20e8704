/**
 * Stream entry IDs: two unsigned 64-bit numbers, `ms-seq`, ordered by ms then seq (Redis's
 * streamID). Both halves are bigints so every ID up to 2^64-1 - 2^64-1 round-trips exactly.
 */

export interface StreamID {
  readonly ms: bigint;
  readonly seq: bigint;
}

export const UINT64_MAX = (1n << 64n) - 1n;

export const ZERO_ID: StreamID = { ms: 0n, seq: 0n };
export const MAX_ID: StreamID = { ms: UINT64_MAX, seq: UINT64_MAX };

export function streamId(ms: bigint, seq: bigint): StreamID {
  return { ms, seq };
}

/** -1, 0 or 1 as `a` is before, equal to or after `b` (streamCompareID). */
export function compareIds(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function isZeroId(id: StreamID): boolean {
  return id.ms === 0n && id.seq === 0n;
}

/** The next ID (streamIncrID); null past the last possible ID. */
export function incrId(id: StreamID): StreamID | null {
  if (id.seq !== UINT64_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms === UINT64_MAX) return null;
  return { ms: id.ms + 1n, seq: 0n };
}

/** The previous ID (streamDecrID); null before 0-0. */
export function decrId(id: StreamID): StreamID | null {
  if (id.seq !== 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms === 0n) return null;
  return { ms: id.ms - 1n, seq: UINT64_MAX };
}

/** `ms-seq`, as Redis prints an ID. */
export function formatId(id: StreamID): string {
  return `${id.ms}-${id.seq}`;
}

/**
 * A sortable text key for an ID (32 hex digits, the 128-bit big-endian form Redis uses as a
 * radix-tree key), so maps of IDs can be ordered with plain string comparison.
 */
export function idKey(id: StreamID): string {
  return id.ms.toString(16).padStart(16, '0') + id.seq.toString(16).padStart(16, '0');
}

export function idFromKey(key: string): StreamID {
  return { ms: BigInt(`0x${key.slice(0, 16)}`), seq: BigInt(`0x${key.slice(16)}`) };
}
