/**
 * Redis's access clocks, as kept in an entry's header: the LRU clock in Unix seconds, and the
 * LFU pair (decay time in minutes mod 2^16, logarithmic 8-bit counter) from evict.c.
 */

/** Counter of a new key, so it is not evicted before it had a chance to be used. */
export const LFU_INIT_VAL = 5;
const MS_PER_MINUTE = 60_000;
const MS_PER_SECOND = 1000;

/** Minutes clock, 16 bits (wraps every ~45 days, as in Redis). */
export function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / MS_PER_MINUTE) & 0xffff;
}

/** LRU clock: Unix seconds (u32). */
export function lruSeconds(nowMs: number): number {
  return Math.floor(nowMs / MS_PER_SECOND) >>> 0;
}

/** Minutes since `ldt`, allowing one wrap of the 16-bit clock (Redis: LFUTimeElapsed). */
function elapsedMinutes(ldt: number, nowMin: number): number {
  return nowMin >= ldt ? nowMin - ldt : 65535 - ldt + nowMin;
}

/** The counter after decay: one point per `decayMinutes` elapsed (Redis: LFUDecrAndReturn). */
export function lfuDecayed(counter: number, ldt: number, nowMin: number, decayMinutes: number): number {
  if (decayMinutes <= 0) return counter;
  const periods = Math.floor(elapsedMinutes(ldt, nowMin) / decayMinutes);
  return periods >= counter ? 0 : counter - periods;
}

/** Logarithmic increment: the higher the counter, the less likely (Redis: LFULogIncr). */
export function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter >= 255) return 255;
  const base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
  return Math.random() < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

/** The 24 LFU bits of an entry's meta word. */
export function lfuPack(counter: number, nowMin: number): number {
  return (nowMin << 8) | counter;
}
