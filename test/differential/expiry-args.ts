/**
 * Expiry arguments for the generated commands: relative and absolute times that never come
 * near "now" during a run (the expiry episodes in episodes.ts are where keys really expire),
 * and the edge values each command must refuse or accept exactly as Redis does.
 */
import type { Rng } from './random.js';

/** Relative TTLs from 1000 s to ~28 h: a generated TTL never runs out during the run. */
const REL_MS_MIN = 1_000_000;
const REL_MS_MAX = 100_000_000;
/** Absolute times at least this far from now, so none crosses "now" during the run. */
const ABS_MARGIN_S = 1000;
const ABS_SPAN_S = 10_000_000;

/** Expiry arguments that only ever produce errors or ordinary times (never past 2^53 ms). */
export const EXPIRY_EDGES = {
  relS: [
    '0',
    '-1',
    '-100',
    '9223372036854775',
    '9223372036854776',
    '-9223372036854776',
    '-9223372036854775',
    'abc',
    '1.5',
    '',
  ],
  relMs: ['0', '-1', '9223372036854775807', '9223372036854775808', '-9223372036854775808', 'abc'],
  absS: ['0', '-1', '1', '9223372036854776', '-9223372036854776', 'abc'],
  absMs: ['0', '-1', '1', '9223372036854775808', 'abc'],
  /** SET/GETEX refuse <= 0 and overflow. */
  setEx: ['0', '-1', 'abc', '9223372036854775', '9223372036854776'],
  setPx: ['0', '-1', 'abc', '9223372036854775807'],
  setExat: ['0', '-5', 'abc', '9223372036854776'],
  setPxat: ['0', '-5', 'abc', '9223372036854775808'],
} as const;

export type ExpiryKind = 'relS' | 'relMs' | 'absS' | 'absMs';

export class ExpiryArgs {
  /** Relative amounts already used, in ms: two equal ones could tie in GT/LT on one server only. */
  private readonly usedRelMs = new Set<number>();

  constructor(
    private readonly rng: Rng,
    private readonly now: () => number = Date.now,
  ) {}

  relMs(): number {
    for (;;) {
      const ms = this.rng.range(REL_MS_MIN, REL_MS_MAX);
      if (!this.usedRelMs.has(ms)) {
        this.usedRelMs.add(ms);
        return ms;
      }
    }
  }

  relS(): number {
    for (;;) {
      const s = this.rng.range(REL_MS_MIN / 1000, REL_MS_MAX / 1000);
      if (!this.usedRelMs.has(s * 1000)) {
        this.usedRelMs.add(s * 1000);
        return s;
      }
    }
  }

  /** Unix seconds well in the future, or (sometimes) well in the past. */
  absS(past = this.rng.chance(0.2)): number {
    const nowS = Math.floor(this.now() / 1000);
    return past ? this.rng.range(1, nowS - ABS_MARGIN_S) : nowS + this.rng.range(ABS_MARGIN_S, ABS_SPAN_S);
  }

  absMs(past = this.rng.chance(0.2)): number {
    return this.absS(past) * 1000 + this.rng.int(1000);
  }

  /** A value for EXPIRE (relS), PEXPIRE (relMs), EXPIREAT (absS) or PEXPIREAT (absMs). */
  value(kind: ExpiryKind): string {
    if (this.rng.chance(0.15)) return this.rng.pick(EXPIRY_EDGES[kind]);
    switch (kind) {
      case 'relS':
        return String(this.rng.chance(0.1) ? -this.relS() : this.relS());
      case 'relMs':
        return String(this.rng.chance(0.1) ? -this.relMs() : this.relMs());
      case 'absS':
        return String(this.absS());
      case 'absMs':
        return String(this.absMs());
    }
  }

  /** One of SET's (and GETEX's) expiry options with a value, and whether it lies in the past. */
  setOption(): { words: string[]; past: boolean } {
    const which = this.rng.pick(['EX', 'PX', 'EXAT', 'PXAT'] as const);
    if (this.rng.chance(0.15)) {
      const e = EXPIRY_EDGES;
      const edge = { EX: e.setEx, PX: e.setPx, EXAT: e.setExat, PXAT: e.setPxat }[which];
      return { words: [which, this.rng.pick(edge)], past: false };
    }
    const past = which.endsWith('AT') && this.rng.chance(0.2);
    const v = {
      EX: () => this.relS(),
      PX: () => this.relMs(),
      EXAT: () => this.absS(past),
      PXAT: () => this.absMs(past),
    }[which]();
    return { words: [which.toLowerCase(), String(v)], past };
  }
}

/**
 * How a SET or GETEX argument list sets the expiry: 'relative' (EX/PX), 'absolute' (EXAT/PXAT),
 * 'keep' (KEEPTTL), 'persist' (GETEX PERSIST) or 'none'. Options are read as Redis reads them;
 * an invalid combination is an error reply, which the observers skip anyway.
 */
export function expiryMode(
  argv: readonly Buffer[],
  from: number,
): 'relative' | 'absolute' | 'keep' | 'persist' | 'none' {
  let mode: 'relative' | 'absolute' | 'keep' | 'persist' | 'none' = 'none';
  for (let i = from; i < argv.length; i++) {
    const w = argv[i].toString('latin1').toLowerCase();
    if (w === 'ex' || w === 'px') mode = 'relative';
    else if (w === 'exat' || w === 'pxat') mode = 'absolute';
    else if (w === 'keepttl') mode = 'keep';
    else if (w === 'persist') mode = 'persist';
  }
  return mode;
}
