/** Time source for the engine, injected so tests move time instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. Tests call `advance(ms)`. */
export class ManualClock implements Clock {
  constructor(private nowMs = 1_700_000_000_000) {}
  now(): number {
    return this.nowMs;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
  set(ms: number): void {
    this.nowMs = ms;
  }
}
