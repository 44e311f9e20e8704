/**
 * What HRANDFIELD, SRANDMEMBER and SPOP share (and ZRANDMEMBER may): the count argument with
 * Redis's errors, and uniform picks with or without repeats.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { interrupted } from './lookup.js';

const INT64_MIN = -9223372036854775808n;
/**
 * Most elements a negative count (repeats allowed) may ask for. Redis streams any count out;
 * Cairn builds the reply in memory first, so a count past this is refused rather than
 * exhausting the heap.
 */
export const RANDOM_REPEATS_MAX = 1 << 23;
/** Picks between two cancellation/deadline checks. */
const PICKS_PER_CHECK = 1 << 16;

export const countOutOfRange = new ErrorReply('ERR', 'ERR value is out of range');
const outOfLongRange = new ErrorReply(
  'ERR',
  'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
);

/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): the count of the *RAND* commands. */
export function parseRandomCount(arg: Buffer): bigint | ErrorReply {
  const l = parseInt64(arg);
  if (l === null) return Errors.notInteger;
  if (l === INT64_MIN) return outOfLongRange;
  return l;
}

/** `count` picks with repeats; an error when cancelled or past the deadline. */
export function picksWithRepeats(
  ctx: CommandContext,
  count: number,
  pick: () => string,
): string[] | ErrorReply {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = pick();
    if (i % PICKS_PER_CHECK === PICKS_PER_CHECK - 1) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
  }
  return out;
}

/**
 * `count` distinct elements of a collection of `size` (0 < count < size), uniformly. Close
 * to the size, a partial shuffle of a copy (Redis's "copy and remove" case); far from it,
 * repeated picks until enough distinct ones (Redis's "add random elements" case).
 */
export function distinctPicks(
  size: number,
  count: number,
  all: () => Iterable<string>,
  pick: () => string,
): string[] {
  if (count * 3 > size) {
    const items = [...all()];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (items.length - i));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    items.length = count;
    return items;
  }
  const seen = new Set<string>();
  while (seen.size < count) seen.add(pick());
  return [...seen];
}

/** Bytes of each element, converting each distinct element once (repeats share a Buffer). */
export function toBuffers(items: readonly string[], convert: (s: string) => Buffer): Buffer[] {
  const cache = new Map<string, Buffer>();
  return items.map((s) => {
    let b = cache.get(s);
    if (b === undefined) {
      b = convert(s);
      cache.set(s, b);
    }
    return b;
  });
}
