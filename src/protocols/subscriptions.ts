/**
 * What the HTTP door (Server-Sent Events) and the gRPC door (Subscribe) share to put a stream
 * on the pub/sub hub:
 *
 * - the request becomes SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE commands run through the
 *   dispatcher for the stream's own client, so authentication, ACL command and channel rules
 *   (with their ACL LOG entries), stats and MONITOR are exactly the RESP door's, and the
 *   client shows in CLIENT LIST with `sub=` / `psub=` and flag `P`;
 * - the keyspace conveniences: a key glob is the pattern `__keyspace@<db>__:<glob>`, an event
 *   glob `__keyevent@<db>__:<glob>` (published only while `notify-keyspace-events` says so);
 * - the bound on what a slow reader may hold: the `pubsub` class of
 *   `client-output-buffer-limit` (hard: at once; soft: for longer than its seconds), as Redis
 *   applies it to RESP subscribers, followed at run time.
 */
import type { ClientState, CommandContext } from '../commands/context.js';
import { PushReply, type Reply, SequenceReply } from '../commands/reply.js';
import type { ConfigStore } from '../config/store.js';
import type { Clock } from '../engine/clock.js';
import { ErrorReply } from '../errors.js';
import { type OutputLimits, PUBSUB_OUTPUT_DEFAULT, parseOutputLimitClasses } from './resp/limits.js';

/** What a stream asks for; names are bytes (binary-safe). */
export interface SubscriptionRequest {
  channels: Buffer[];
  patterns: Buffer[];
  /** Shard channels (SSUBSCRIBE). */
  shards: Buffer[];
  /** Key globs: each is the pattern `__keyspace@<db>__:<glob>`. */
  keyspace: Buffer[];
  /** Event-name globs: each is the pattern `__keyevent@<db>__:<glob>`. */
  keyevent: Buffer[];
  /** The database of the keyspace conveniences. */
  db: number;
}

/** One confirmation, as Redis sends `[subscribe, name, count]`. */
export interface Confirmation {
  readonly verb: string;
  readonly name: Buffer;
  readonly count: number;
}

const SUBSCRIBE = Buffer.from('SUBSCRIBE');
const PSUBSCRIBE = Buffer.from('PSUBSCRIBE');
const SSUBSCRIBE = Buffer.from('SSUBSCRIBE');

/** `__keyspace@<db>__:<glob>` or `__keyevent@<db>__:<glob>`. */
export function keyspacePattern(space: 'keyspace' | 'keyevent', db: number, glob: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`__${space}@${db}__:`), glob]);
}

/** The commands a request stands for, in the order they run; empty when it asks for nothing. */
export function subscriptionCommands(req: SubscriptionRequest): Buffer[][] {
  const cmds: Buffer[][] = [];
  if (req.channels.length > 0) cmds.push([SUBSCRIBE, ...req.channels]);
  const patterns = [
    ...req.patterns,
    ...req.keyspace.map((g) => keyspacePattern('keyspace', req.db, g)),
    ...req.keyevent.map((g) => keyspacePattern('keyevent', req.db, g)),
  ];
  if (patterns.length > 0) cmds.push([PSUBSCRIBE, ...patterns]);
  if (req.shards.length > 0) cmds.push([SSUBSCRIBE, ...req.shards]);
  return cmds;
}

export const nothingToSubscribe = (what: string) =>
  new ErrorReply('ERR', `ERR nothing to subscribe to: give at least one ${what}`);

interface Executor {
  execute(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply>;
}

function confirmations(r: Reply, out: Confirmation[]): boolean {
  if (!(r instanceof SequenceReply)) return false;
  for (const p of r.replies) {
    if (!(p instanceof PushReply)) return false;
    const [verb, name, count] = p.items;
    if (!Buffer.isBuffer(verb) || !Buffer.isBuffer(name) || typeof count !== 'number') return false;
    out.push({ verb: verb.toString('latin1'), name, count });
  }
  return true;
}

/**
 * Run the commands for `ctx.client` (the stream's subscriber): every confirmation in order, or
 * the first refusal (NOAUTH, NOPERM, ...) with every subscription made so far undone, so a
 * refused stream never receives anything.
 */
export function subscribeAll(
  host: Executor,
  ctx: CommandContext,
  cmds: Buffer[][],
): Confirmation[] | ErrorReply {
  const out: Confirmation[] = [];
  for (const argv of cmds) {
    const r = host.execute(ctx, argv);
    if (r instanceof Promise) throw new Error('the subscribe commands answer synchronously');
    if (r instanceof ErrorReply || !confirmations(r, out)) {
      ctx.server.pubsub.unsubscribeAll(ctx.client);
      return r instanceof ErrorReply
        ? r
        : new ErrorReply('INTERNAL', 'ERR unexpected reply to a subscription');
    }
  }
  return out;
}

/** The identity a stream's listed client takes from the request's authenticated session. */
export function adoptSession(client: ClientState, session: ClientState): void {
  client.acl = session.acl;
  client.authenticated = session.authenticated;
  client.credentialed = session.credentialed;
}

/** The `pubsub` class of `client-output-buffer-limit`, kept current while the door runs. */
export class PubSubOutputLimit {
  readonly limits: OutputLimits = { ...PUBSUB_OUTPUT_DEFAULT };
  private readonly stop: () => void;

  constructor(config: ConfigStore) {
    this.read(config);
    this.stop = config.onChange((name) => {
      if (name === 'client-output-buffer-limit') this.read(config);
    });
  }

  private read(config: ConfigStore): void {
    // As CONFIG SET in Redis, a class the value does not name keeps its limits.
    const pubsub = parseOutputLimitClasses(config.get('client-output-buffer-limit'))?.pubsub;
    if (pubsub !== undefined) Object.assign(this.limits, pubsub);
  }

  close(): void {
    this.stop();
  }
}

/** Redis's checkClientOutputBufferLimits for one stream: over hard at once, over soft too long. */
export class OutputGuard {
  private softSince = 0;

  constructor(
    private readonly limit: PubSubOutputLimit,
    private readonly clock: Clock,
  ) {}

  /** Which limit `usedBytes` pending breaks (`hard`, `soft`), or null while within them. */
  check(usedBytes: number): 'hard' | 'soft' | null {
    const lim = this.limit.limits;
    if (lim.hardBytes > 0 && usedBytes > lim.hardBytes) return 'hard';
    if (lim.softBytes > 0 && usedBytes > lim.softBytes) {
      const now = this.clock.now();
      if (this.softSince === 0) this.softSince = now;
      else if (now - this.softSince > lim.softMs) return 'soft';
    } else {
      this.softSince = 0;
    }
    return null;
  }
}

/** The message a reader dropped for being slow gets (RESOURCE_EXHAUSTED / logged). */
export function slowReader(limit: 'hard' | 'soft' | 'count', bound: string): ErrorReply {
  return new ErrorReply(
    'TOO_LARGE',
    `ERR subscriber fell behind past its ${limit} limit (${bound}): closed for overcoming of output buffer limits`,
  );
}
