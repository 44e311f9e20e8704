/**
 * What a master sends its replicas, decided as Redis 7.0's call() decides it (server.c: call,
 * alsoPropagate, propagatePendingCommands):
 *
 * - A command that changed the dataset (`server.dirty` grew while it ran) is propagated as it
 *   was given, or in the form its handler rewrote it to (`rewrite`: SET ... EX -> SET ... PXAT,
 *   EXPIRE -> PEXPIREAT, BLPOP -> LPOP, INCRBYFLOAT -> SET ... KEEPTTL, ...). A handler may also
 *   add commands of its own (`also`: SPOP count -> SREMs, a served BLPOP -> LPOP) and keep its
 *   own form out (`prevent`). PUBLISH, SPUBLISH, FLUSHALL, FLUSHDB and SWAPDB go out even when
 *   nothing changed; EXEC and the script commands never do: their commands speak for them.
 *   Neither do a script's commands after redis.set_repl without REPL_REPLICA (`muted`).
 * - Keys that expire (lazily in a lookup, or in the active cycle) and keys evicted go out as DEL,
 *   or UNLINK under lazyfree-lazy-expire / lazyfree-lazy-eviction (Redis's propagateDeletion).
 * - Everything one top-level call propagates (a command, a whole EXEC, a script, one served
 *   blocked client) is sent when that call ends, wrapped in MULTI ... EXEC when there is more
 *   than one command, unless the top-level command touches arbitrary keys (SCAN, RANDOMKEY),
 *   nothing was running (the active expire cycle, eviction before a command) or the unit is
 *   only evictions (CONFIG SET maxmemory): those go out one by one.
 *
 * Commands are rendered as RESP arrays when recorded (so no argument view outlives its input
 * buffer) and handed to the sink (the replica feeds, feed.ts) with their database. Nothing here
 * runs unless `active` (a replica is attached): the dispatcher's only cost otherwise is one
 * boolean read.
 */
import type { ChangeKind } from '../../engine/types.js';
import { ErrorReply } from '../../errors.js';
import { F_WRITE, type TableEntry } from '../registry.js';
import type { Reply } from '../reply.js';

/** One propagated command: its database and its RESP array. */
export interface PropagatedOp {
  readonly db: number;
  readonly wire: Buffer;
  /** The DEL of an evicted key (Redis never wraps those in MULTI). */
  readonly evicted?: boolean;
}

/** Receives each finished unit: its commands, and whether they go inside MULTI ... EXEC. */
export type PropagationSink = (ops: readonly PropagatedOp[], transaction: boolean) => void;

/** An argument: bytes as they are, or text (numbers, keywords) as latin1. */
export type PropArg = Buffer | string;

interface Frame {
  /** server.dirty when the command started. */
  readonly dirty: number;
  /** The form the handler propagates instead of its argv (rewriteClientCommandVector). */
  rewrite: Buffer | null;
  /** The handler propagated what it did itself (preventCommandPropagation). */
  prevent: boolean;
}

/** May-replicate commands without the write flag: propagated when they change data or are forced. */
const MAY_REPLICATE: ReadonlySet<string> = new Set(['publish', 'spublish', 'pfcount']);
/**
 * Propagated even when they changed nothing (forceCommandPropagation; SWAPDB counts a change
 * even for one database with itself), unless they failed.
 */
const FORCED: ReadonlySet<string> = new Set(['publish', 'spublish', 'flushall', 'flushdb', 'swapdb']);
/** Never propagated themselves: EXEC's and the scripts' commands are. */
const NEVER: ReadonlySet<string> = new Set([
  'exec',
  'eval',
  'evalsha',
  'eval_ro',
  'evalsha_ro',
  'fcall',
  'fcall_ro',
]);
/** Commands flagged touches-arbitrary-keys in Redis 7.0: their lazy expiries are not wrapped. */
const ARBITRARY_KEYS: ReadonlySet<string> = new Set(['scan', 'randomkey']);

const CRLF = '\r\n';

/** A command as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly PropArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}${CRLF}`, 'latin1')];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}${CRLF}`, 'latin1'), b, Buffer.from(CRLF, 'latin1'));
  }
  return Buffer.concat(parts);
}

export class Propagation {
  /** A replica is attached: the dispatcher and the handlers record what they propagate. */
  active = false;
  private readonly frames: Frame[] = [];
  /** Open units that are not commands (a script run, a served blocked client). */
  private units = 0;
  private ops: PropagatedOp[] = [];
  /** The unit's top-level command touches arbitrary keys: no MULTI around its commands. */
  private noMulti = false;
  /** Inside `muted`: commands and their rewrites are not propagated (expired keys still are). */
  private mute = 0;

  constructor(
    private readonly sink: PropagationSink,
    /** `DEL` or `UNLINK` for a key that expired (true) or was evicted (false). */
    private readonly deletionName: (expired: boolean) => string,
  ) {}

  /** Inside a command or unit: what handlers propagate is recorded. */
  get recording(): boolean {
    return this.frames.length > 0 || this.units > 0;
  }

  // ---- the dispatcher's hooks ----------------------------------------------------------------

  /** A command is about to run (server.dirty now). */
  begin(dirty: number, entry: TableEntry): void {
    if (!this.recording) this.noMulti = ARBITRARY_KEYS.has(entry.fullName);
    this.frames.push({ dirty, rewrite: null, prevent: false });
  }

  /**
   * The command ran: record it (as given or rewritten) when it changed data, then send the unit
   * when this was the outermost call. `db` is the client's database now.
   */
  end(
    db: number,
    entry: TableEntry,
    argv: readonly Buffer[],
    reply: Reply | Promise<Reply>,
    dirty: number,
  ): void {
    const f = this.frames.pop();
    if (f === undefined) return;
    const name = entry.fullName;
    if (
      this.mute === 0 &&
      !f.prevent &&
      !NEVER.has(name) &&
      ((entry.flagBits & F_WRITE) !== 0 || MAY_REPLICATE.has(name))
    ) {
      // A failed command propagates nothing of its own (Redis's handlers fail before they write).
      const failed = reply instanceof ErrorReply;
      if (!failed && (dirty > f.dirty || FORCED.has(name)))
        this.ops.push({ db, wire: f.rewrite ?? encodeCommand(argv) });
    }
    if (!this.recording) this.flush();
  }

  // ---- what handlers call (through rewrites.ts) ----------------------------------------------

  /** Propagate the running command as `argv` instead (when it changed data). */
  rewrite(argv: readonly PropArg[]): void {
    const f = this.frames[this.frames.length - 1];
    if (f !== undefined) f.rewrite = encodeCommand(argv);
  }

  /** Propagate `argv` in `db` too, before the running command's own form. */
  also(db: number, argv: readonly PropArg[]): void {
    if (this.recording && this.mute === 0) this.ops.push({ db, wire: encodeCommand(argv) });
  }

  /**
   * Run `fn` with its commands kept from replicas (a script's redis.set_repl without
   * REPL_REPLICA). Keys that expire meanwhile still go out as DEL, as in Redis.
   */
  muted<T>(fn: () => T): T {
    this.mute++;
    try {
      return fn();
    } finally {
      this.mute--;
    }
  }

  /** Keep the running command's own form out (it propagated its effects with `also`). */
  prevent(): void {
    const f = this.frames[this.frames.length - 1];
    if (f !== undefined) f.prevent = true;
  }

  /** A unit that is not a command: a script run (which may outlive its command), a served waiter. */
  openUnit(): void {
    if (!this.recording) this.noMulti = false;
    this.units++;
  }

  closeUnit(): void {
    if (this.units === 0) return;
    this.units--;
    if (!this.recording) this.flush();
  }

  /** Run `fn` as one unit: what it propagates leaves when it returns. */
  unit<T>(fn: () => T): T {
    this.openUnit();
    try {
      return fn();
    } finally {
      this.closeUnit();
    }
  }

  // ---- keyspace changes ----------------------------------------------------------------------

  /** Engine change listener (subscribed while active): expired and evicted keys go out as DEL. */
  readonly onChange = (db: number, key: Buffer | null, kind: ChangeKind): void => {
    if (key === null || (kind !== 'expire' && kind !== 'evict')) return;
    const evicted = kind === 'evict';
    this.ops.push({ db, wire: encodeCommand([this.deletionName(!evicted), key]), evicted });
    // Outside any command (the active expire cycle, eviction before a command): at once.
    if (!this.recording) this.flush();
  };

  /** Send what the unit propagated; forget it when no replica listens any more. */
  private flush(): void {
    const ops = this.ops;
    if (ops.length === 0) return;
    this.ops = [];
    if (!this.active) return;
    // Evictions alone (CONFIG SET maxmemory made room) are not a transaction either; in the
    // middle of one (a MULTI that lowered maxmemory) they stay where they happened.
    this.sink(ops, ops.length > 1 && !this.noMulti && ops.some((op) => op.evicted !== true));
  }

  /** Every replica went away: drop anything recorded and stop recording new units. */
  reset(): void {
    this.ops = [];
  }
}
