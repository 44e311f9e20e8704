/**
 * Seeded random command sequences for the differential test, built from command families.
 *
 * A family (see CommandFamily below) is one module, e.g. family-strings.ts, family-keys.ts,
 * family-expiry.ts. It has:
 *  - `commands`: weighted step makers `(g) => Step`, where `g` (GenContext) gives the seeded
 *    `rng`, the `model`, the key pool and the expiry arguments. A Step is an argv plus how the
 *    two servers' replies are compared (byte for byte unless a Compare mode says otherwise);
 *  - `observers` (optional): per command name, how Redis's reply to it changes the Model
 *    (which keys hold history-dependent encodings, TTL skew, deleted or moved keys).
 *
 * To add a family (hashes, lists, sets, sorted sets...): write `family-<name>.ts` exporting a
 * CommandFamily, add it to FAMILIES below, and give an observer to every command that deletes,
 * renames or sets a TTL on a key (plain writes need none). Key-level commands that must learn
 * the new types (TYPE, SCAN TYPE, OBJECT ENCODING) live in family-keys.ts. While
 * `g.modelCurrent` is false (a pipelined batch or a transaction body is being drawn) the model
 * lags behind: a step whose comparison depends on it must then choose a non-exact mode, which
 * keeps it out of those batches. Every 'exact' step of every family also takes part, with no
 * more work, in the pipelined batches and transaction bodies of episodes.ts.
 */
import { ExpiryArgs } from './expiry-args.js';
import { expiryFamily } from './family-expiry.js';
import { keysFamily } from './family-keys.js';
import { stringsFamily } from './family-strings.js';
import { Model } from './model.js';
import { intArg, KEYS, type Rng } from './random.js';
import type { Node } from './resp-client.js';
import { b, type CommandFamily, DATABASES_USED, type GenContext, type Observer, type Step } from './step.js';

export type { Compare, Step } from './step.js';

export const FAMILIES: readonly CommandFamily[] = [stringsFamily, keysFamily, expiryFamily];

export class Generator implements GenContext {
  readonly model = new Model();
  readonly expiry: ExpiryArgs;
  modelCurrent = true;
  private readonly queue: Step[] = [];
  private readonly table: ReadonlyArray<readonly [number, (g: GenContext) => Step]>;
  private readonly observers = new Map<string, Observer>();

  constructor(
    readonly rng: Rng,
    families: readonly CommandFamily[] = FAMILIES,
    now: () => number = Date.now,
  ) {
    this.expiry = new ExpiryArgs(rng, now);
    this.table = families.flatMap((f) => f.commands);
    for (const f of families) {
      for (const [cmd, obs] of Object.entries(f.observers ?? {})) {
        if (this.observers.has(cmd)) throw new Error(`two families observe '${cmd}'`);
        this.observers.set(cmd, obs);
      }
    }
  }

  next(): Step {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    const step = this.rng.weighted(this.table)(this);
    if (this.rng.chance(0.03)) return this.wrongArity(step);
    return step;
  }

  /**
   * The next step that `ok` accepts, for batches and transaction bodies. A queued follow-up
   * that `ok` refuses is left queued and null returned (the caller ends its batch there).
   */
  nextWhere(ok: (s: Step) => boolean): Step | null {
    const head = this.queue[0];
    if (head !== undefined) return ok(head) ? (this.queue.shift() as Step) : null;
    for (let tries = 0; tries < 50; tries++) {
      const s = this.next();
      if (ok(s)) return s;
      if (this.queue.length > 0) return null;
    }
    return null;
  }

  /** Feed Redis's reply to a step back in: the model, then the step's follow-ups. */
  observe(step: Step, redisReply: Node, windowMs: number): void {
    this.observeCommand(step.argv, redisReply, windowMs);
    if (step.followUp) this.queue.unshift(...step.followUp(redisReply));
  }

  /** Feed Redis's reply to any command both servers ran (episodes, transactions) to the model. */
  observeCommand(argv: readonly Buffer[], redisReply: Node, windowMs: number): void {
    if (argv.length === 0 || redisReply.t === 'error') return;
    this.observers.get(argv[0].toString('latin1').toLowerCase())?.(this.model, argv, redisReply, windowMs);
  }

  // ---- GenContext ------------------------------------------------------------------------

  key(): Buffer {
    return this.rng.pick(KEYS);
  }

  keys(min: number, max: number): Buffer[] {
    return Array.from({ length: this.rng.range(min, max) }, () => this.key());
  }

  dbArg(): string {
    return this.rng.chance(0.9)
      ? String(this.rng.int(DATABASES_USED))
      : this.rng.pick(['16', '-1', 'abc', '2147483648', '']);
  }

  /** A queued follow-up, or null: the caller runs it now, outside any transaction. */
  nextQueued(): Step | null {
    return this.queue.shift() ?? null;
  }

  enqueue(step: Step): void {
    this.queue.push(step);
  }

  /** The same command with too few or too many arguments (not always wrong for variadics). */
  private wrongArity(step: Step): Step {
    const argv = step.argv;
    // A cut-down full SCAN is a single SCAN from cursor 0 (or no SCAN at all).
    const base: Step = step.fullScan ? { argv, compare: 'scan-batch' } : { ...step, followUp: undefined };
    if (argv.length > 1 && this.rng.chance(0.6))
      return { ...base, argv: argv.slice(0, this.rng.range(1, argv.length - 1)) };
    return {
      ...base,
      argv: [...argv, ...Array.from({ length: this.rng.range(1, 3) }, () => b(intArg(this.rng)))],
    };
  }
}
