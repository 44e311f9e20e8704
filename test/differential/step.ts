/**
 * The vocabulary shared by the generator and the command families: a Step (an argv and how the
 * two servers' replies to it are compared), the context a family draws arguments from, and the
 * CommandFamily shape itself (see the comment at the top of generator.ts).
 */
import type { ExpiryArgs } from './expiry-args.js';
import type { Model } from './model.js';
import type { Rng } from './random.js';
import type { Node } from './resp-client.js';

export type Compare =
  /** Byte for byte. */
  | 'exact'
  /** TTL (seconds): exact unless the ms remainder straddles a rounding point (probe: PTTL). */
  | 'ttl'
  /** PTTL: within the key's skew plus this command's measured window. */
  | 'pttl'
  /** EXPIRETIME (seconds): the rounded PEXPIRETIME (probe), which agree within the key's skew. */
  | 'expiretime'
  /** PEXPIRETIME: within the key's skew (0 for absolute expiries: exact). */
  | 'pexpiretime'
  /** An array compared as a set (KEYS: order is the server's hash order). */
  | 'key-set'
  /** RANDOMKEY: both null, or each a key that exists on both. */
  | 'random-key'
  /** SCAN from an arbitrary cursor: same shape, and each batch a subset of the database. */
  | 'scan-batch'
  /** The same kind of reply (errors byte for byte): idle times, history-dependent encodings. */
  | 'shape';

export interface Step {
  argv: Buffer[];
  compare: Compare;
  /** Sent right after argv in the same write; its replies only inform the comparison. */
  probe?: Buffer[];
  /** The key a TTL comparison is about: its skew bound is read from the model when it runs. */
  ttlKey?: Buffer;
  /**
   * Iterate SCAN from cursor 0 to the end with argv's options (after the cursor): 'static'
   * compares the key sets; 'interleaved' runs writes between the calls and checks Redis's
   * guarantee (every key present throughout is returned, none that never existed).
   */
  fullScan?: 'static' | 'interleaved';
  /** Steps to run next, chosen from Redis's reply to this one. */
  followUp?: (redisReply: Node) => Step[];
}

/** Updates the model from one command and Redis's reply; `windowMs` bounds when it ran. */
export type Observer = (model: Model, argv: readonly Buffer[], reply: Node, windowMs: number) => void;

export interface GenContext {
  readonly rng: Rng;
  readonly model: Model;
  /** False while a batch or transaction body is drawn: the model lacks the earlier replies. */
  readonly modelCurrent: boolean;
  readonly expiry: ExpiryArgs;
  key(): Buffer;
  keys(min: number, max: number): Buffer[];
  /** A database index argument: mostly one of the few used, sometimes invalid. */
  dbArg(): string;
  /** Run this step right after the one being made. */
  enqueue(step: Step): void;
}

export interface CommandFamily {
  readonly name: string;
  readonly commands: ReadonlyArray<readonly [weight: number, make: (g: GenContext) => Step]>;
  readonly observers?: Readonly<Record<string, Observer>>;
}

/** Databases the generated commands use (SELECT, MOVE, COPY DB, SWAPDB). */
export const DATABASES_USED = 3;

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
export const exact = (...args: Array<string | Buffer>): Step => ({
  argv: args.map((a) => (typeof a === 'string' ? b(a) : a)),
  compare: 'exact',
});
