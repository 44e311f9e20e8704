/**
 * Redis's access clocks (evict.c), in the 24 bits an entry's header has for them, read one way
 * or the other by the policy in force, as Redis does with `robj.lru`: under LRU policies Unix
 * seconds mod 2^24; under LFU policies the decay time in minutes mod 2^16 and an 8-bit
 * logarithmic counter. After a policy switch the clocks adjust as keys are touched (Redis's
 * OBJECT FREQ / IDLETIME errors warn about exactly that).
 */

/** Counter of a new key, so it is not evicted before it had a chance to be used. */
export const LFU_INIT_VAL = 5;
const MS_PER_MINUTE = 60_000;
const MS_PER_SECOND = 1000;
const LRU_CLOCK_MAX = 0xffffff;

/** Minutes clock, 16 bits (wraps every ~45 days, as in Redis). */
export function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / MS_PER_MINUTE) & 0xffff;
}

/** LRU clock: Unix seconds mod 2^24 (Redis: LRU_CLOCK with a resolution of 1 s). */
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / MS_PER_SECOND) & LRU_CLOCK_MAX;
}

/** Milliseconds since an LRU clock value, allowing one wrap (Redis: estimateObjectIdleTime). */
export function lruIdleMs(clock: number, nowMs: number): number {
  const nowSec = Math.floor(nowMs / MS_PER_SECOND);
  const idleSec = (nowSec - clock) & LRU_CLOCK_MAX;
  return nowMs - (nowSec - idleSec) * MS_PER_SECOND;
}

/** Minutes since `ldt`, allowing one wrap of the 16-bit clock (Redis: LFUTimeElapsed). */
export function elapsedMinutes(ldt: number, nowMin: number): number {
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

/** The 24 clock bits of an entry under an LFU policy. */
export function lfuClock(counter: number, nowMin: number): number {
  return (nowMin << 8) | counter;
}

/**
 * The clock RESTORE's IDLETIME (under LRU policies: the last access `idleMs` ago) or FREQ
 * (under LFU policies: the counter, decay time now) gives an entry; `clock` when the policy
 * does not track what is given (Redis's objectSetLRUOrLFU).
 */
export function accessClock(
  lfu: boolean,
  access: { idleMs?: number; freq?: number },
  clock: number,
  nowMs: number,
): number {
  if (lfu) return access.freq === undefined ? clock : lfuClock(access.freq, lfuMinutes(nowMs));
  return access.idleMs === undefined ? clock : lruClock(nowMs - access.idleMs);
}
