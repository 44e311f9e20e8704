/** Time source for the engine, injected so tests move time instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Stop time for the keyspace until the matching `release` (nested holds keep the first
   * instant): a script or a transaction sees one time from start to end, so a key does not
   * expire half-way through it (Redis's fixed time of a command). Optional: a clock without it
   * never stops.
   */
  hold?(): void;
  release?(): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that can be held (see Clock.hold); the server's keyspace clock. */
export class HoldableClock implements Clock {
  private depth = 0;
  private heldAt = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.depth > 0 ? this.heldAt : this.base.now();
  }

  hold(): void {
    if (this.depth++ === 0) this.heldAt = this.base.now();
  }

  release(): void {
    if (this.depth > 0) this.depth--;
  }
}

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
