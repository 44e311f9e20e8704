/**
 * Observers of executed commands: client tracking (tracking.ts) and MONITOR (monitor.ts). The
 * dispatcher calls `before` and `after` around a command only while `active` is true (some
 * client tracks keys or monitors), so other traffic pays one property read.
 *
 * While commands run, the observers keep a stack of the clients running them (EXEC and scripts
 * run commands inside a command). That gives tracking its "current client" (NOLOOP, and the
 * client that changed a key in BCAST mode), and orders what a client causes for itself as Redis
 * does: an invalidation of a key a client's own command changed, or the MONITOR line of a
 * monitor's own command, is queued on `ClientState.deferredPushes` and the door writes it right
 * after that command's reply (after EXEC's whole reply for commands inside it).
 */
import { ErrorReply } from '../errors.js';
import type { ClientState, CommandContext, KeyspaceEvents, ServerApi } from './context.js';
import { Monitors } from './monitor.js';
import { F_ADMIN, F_WRITE, type TableEntry } from './registry.js';
import type { Reply } from './reply.js';
import { Tracking, type TrackingHost, type TrackingOptions } from './tracking.js';

/**
 * Commands that run scripts. Redis flags them skip-monitor and shows them before they run, so
 * the commands of the script follow them (as `lua`); tracking remembers the keys of the
 * script's read-only commands, never the script command's own.
 */
const SCRIPT_COMMANDS: ReadonlySet<string> = new Set([
  'eval',
  'evalsha',
  'eval_ro',
  'evalsha_ro',
  'fcall',
  'fcall_ro',
]);

const replicaKeyspace = new ErrorReply('ERR', "ERR Replica can't interact with the keyspace");
/** Redis's may-replicate commands without a read or write flag: a monitor may not run them either. */
const MAY_REPLICATE: ReadonlySet<string> = new Set(['publish', 'spublish', 'eval', 'evalsha', 'fcall']);

interface Frame {
  /** The client running the command (for a script's command, the copy of its caller's). */
  readonly client: ClientState;
  readonly entry: TableEntry;
  readonly argv: readonly Buffer[];
  /** A flush already told the tracking clients during this command. */
  flushed: boolean;
}

export class CommandObservers implements TrackingHost {
  /** Some client tracks keys or monitors: the dispatcher calls before/after. */
  active = false;
  readonly tracking: Tracking;
  readonly monitors = new Monitors();
  private readonly frames: Frame[] = [];
  /** A blocked client being served (its BLMOVE runs now): it is the one "running". */
  private served: ClientState | null = null;

  constructor(
    private readonly server: ServerApi,
    events: KeyspaceEvents,
  ) {
    this.tracking = new Tracking(server, this);
    events.subscribe(this.onChange);
  }

  // ---- state changes (commands, the client's end) --------------------------------------------

  enableTracking(c: ClientState, opts: TrackingOptions): void {
    this.tracking.enable(c, opts);
    this.refresh();
  }

  disableTracking(c: ClientState): void {
    this.tracking.disable(c);
    this.refresh();
  }

  startMonitor(c: ClientState): void {
    this.monitors.add(c);
    this.refresh();
  }

  /** RESET and closing: tracking off, out of monitor mode. */
  clientReset(c: ClientState): void {
    this.tracking.disable(c);
    this.monitors.remove(c);
    this.refresh();
  }

  private refresh(): void {
    this.active = this.tracking.clients > 0 || this.monitors.count > 0;
  }

  // ---- the dispatcher's hooks ----------------------------------------------------------------

  /** A command passed every check and is about to run. Returns a refusal, or null. */
  before(ctx: CommandContext, entry: TableEntry, argv: readonly Buffer[]): ErrorReply | null {
    const client = ctx.client;
    // A monitor is a replica to Redis, and replicas do not touch the keyspace.
    if (client.monitor && touchesKeyspace(entry)) return replicaKeyspace;
    this.frames.push({ client, entry, argv, flushed: false });
    // Shown before it runs, so that the commands of the script follow it.
    if (this.monitors.count > 0 && SCRIPT_COMMANDS.has(entry.fullName)) this.feed(ctx, entry, argv);
    return null;
  }

  /** The command ran (whatever its reply): feed monitors, remember what a tracking client read. */
  after(ctx: CommandContext, entry: TableEntry, argv: readonly Buffer[]): void {
    const script = SCRIPT_COMMANDS.has(entry.fullName);
    if (this.monitors.count > 0 && !script && (entry.flagBits & F_ADMIN) === 0) this.feed(ctx, entry, argv);
    if (this.tracking.clients > 0) {
      // A script's commands run as a copy of its caller's client (same id): track for the caller.
      const tracker = this.server.clients.get(ctx.client.id) ?? ctx.client;
      const st = tracker.tracking;
      const outermost = this.frames.length === 1 && !fromScript(ctx);
      if (st !== null) {
        if (!script && entry.spec.flags.includes('readonly')) {
          // A script that reads anything tracks the keys it declares (Redis's call(): the
          // caller's command), not the keys its commands happen to read.
          const caller = fromScript(ctx) ? this.scriptFrame() : null;
          if (caller !== null) this.tracking.remember(tracker, caller.entry.spec, caller.argv);
          else this.tracking.remember(tracker, entry.spec, argv);
        }
        // CLIENT CACHING lasts for the next command, or a whole transaction (Redis's resetClient).
        if (st.caching && outermost && tracker.multi === null && !entry.fullName.startsWith('client|'))
          st.caching = false;
      }
    }
    this.frames.pop();
  }

  /** The innermost running script command (EVAL, FCALL, ...), or null. */
  private scriptFrame(): Frame | null {
    for (let i = this.frames.length - 1; i >= 0; i--)
      if (SCRIPT_COMMANDS.has(this.frames[i].entry.fullName)) return this.frames[i];
    return null;
  }

  /**
   * Run `fn` as `client`'s own command: serving a blocked client's pop, whose invalidations
   * for that client follow its reply (Redis makes the receiver the current client) and which
   * NOLOOP counts as the client's own change.
   */
  asClient<T>(client: ClientState, fn: () => T): T {
    const was = this.served;
    this.served = client;
    try {
      return fn();
    } finally {
      this.served = was;
    }
  }

  private feed(ctx: CommandContext, entry: TableEntry, argv: readonly Buffer[]): void {
    const client = ctx.client;
    const addr = fromScript(ctx) ? 'lua' : client.addr;
    this.monitors.feed(client.db, addr, entry.fullName, argv, this.deliverLine);
  }

  private readonly deliverLine = (target: ClientState, line: Reply): void => this.deliver(target, line);

  // ---- delivery ------------------------------------------------------------------------------

  /** The client running the innermost command now; null outside commands. */
  private current(): ClientState | null {
    const f = this.frames;
    return f.length === 0 ? this.served : f[f.length - 1].client;
  }

  /**
   * Send now, or, when `target` runs the current command, queue it on the running client to
   * follow the command's reply. A script's commands run as a copy of the caller's client (same
   * id); the scripting layer hands what the copy queued to the caller when the script ends.
   */
  deliver(target: ClientState, reply: Reply): void {
    const cur = this.current();
    if (cur !== null && cur.id === target.id && target.door === 'resp') {
      if (cur.deferredPushes === null) cur.deferredPushes = [reply];
      else cur.deferredPushes.push(reply);
    } else {
      target.push(reply);
    }
  }

  // ---- keyspace changes ----------------------------------------------------------------------

  private readonly onChange = (_db: number, key: Buffer | null, kind: string): void => {
    const t = this.tracking;
    if (t.clients === 0 && t.idle) return;
    // Expiry and eviction are nobody's doing (Redis signals them with no client): NOLOOP
    // clients hear of them even when their own command's lookup expired the key.
    const by = kind === 'expire' || kind === 'evict' ? 0 : (this.current()?.id ?? 0);
    if (key !== null) t.invalidateKey(key.toString('latin1'), by);
    else if (kind === 'flush') this.onFlush();
  };

  /**
   * The engine reports a flushed database once per database (FLUSHALL: all of them) and also
   * for both databases of SWAPDB, which Redis 7.0 does not treat as an invalidation.
   */
  private onFlush(): void {
    const f = this.frames[this.frames.length - 1];
    if (f !== undefined) {
      if (f.flushed || f.entry.fullName === 'swapdb') return;
      f.flushed = true;
    }
    this.tracking.invalidateAll();
  }
}

function touchesKeyspace(entry: TableEntry): boolean {
  return (
    (entry.flagBits & F_WRITE) !== 0 ||
    entry.spec.flags.includes('readonly') ||
    MAY_REPLICATE.has(entry.fullName)
  );
}

/** The scripting layer runs a script's commands with a context marked `fromScript`. */
function fromScript(ctx: CommandContext): boolean {
  return (ctx as { fromScript?: boolean }).fromScript === true;
}
