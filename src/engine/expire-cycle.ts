/**
 * Redis's activeExpireCycle, engine-neutral: sample keys that carry a TTL in each database,
 * delete the expired ones, and keep going in a database while more than
 * ACCEPTABLE_STALE_PERCENT of a sample turned out expired, until the time budget runs out.
 * Engines supply the sampler; this module owns the policy.
 */
import type { Clock } from './clock.js';
import type { ExpireCycleStats } from './types.js';

/** Keys sampled per database per loop (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
export const EXPIRE_KEYS_PER_LOOP = 20;
/** Keep looping in a db while more than this share of the sample was expired. */
export const ACCEPTABLE_STALE_PERCENT = 10;

export interface ExpireCycleSource {
  databases: number;
  clock: Clock;
  /** Visit up to `max` keys with a TTL in `db`, deleting expired ones; returns how many. */
  sample(db: number, max: number, onKey: (expired: boolean) => void): number;
  expiresCount(db: number): number;
}

export function createExpireCycle(src: ExpireCycleSource): (budgetMs: number) => ExpireCycleStats {
  // Resume from the db where the previous cycle stopped, so no db starves.
  let nextDb = 0;
  return (budgetMs: number) => {
    const start = performance.now();
    const stats: ExpireCycleStats = { sampled: 0, expired: 0, timedOut: false };
    for (let i = 0; i < src.databases; i++) {
      const db = nextDb;
      nextDb = (nextDb + 1) % src.databases;
      for (;;) {
        if (src.expiresCount(db) === 0) break;
        let expired = 0;
        const sampled = src.sample(db, EXPIRE_KEYS_PER_LOOP, (e) => {
          if (e) expired++;
        });
        stats.sampled += sampled;
        stats.expired += expired;
        if (performance.now() - start > budgetMs) {
          stats.timedOut = true;
          return stats;
        }
        if (sampled === 0 || expired * 100 <= sampled * ACCEPTABLE_STALE_PERCENT) break;
      }
    }
    return stats;
  };
}
