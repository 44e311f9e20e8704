/**
 * Running one script or function, atomically, with the event loop still turning when it runs
 * long. The script runs in a coroutine with a count hook (every HOOK_INSTRUCTIONS VM
 * instructions). Until `busy-reply-threshold` has passed the hook returns at once and the
 * script runs to its end synchronously: nothing else runs meanwhile, as in Redis. Past it, the
 * hook yields: the run continues in slices scheduled with setImmediate, the caller waits on a
 * promise, and every other command meets the BUSY check in the dispatcher (only allow-busy
 * commands run: SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, ...). SCRIPT KILL / FUNCTION KILL
 * drop the suspended coroutine and answer its caller with Redis's error; shutdown does the same.
 *
 * While a slice runs, commands that could wait answer at once and clients blocked on keys are
 * served only after the script has ended (withBlockingDenied), as after a Redis script.
 */
import { withBlockingDenied } from '../commands/blocking.js';
import type { CommandContext } from '../commands/context.js';
import { ErrorReply, type Reply } from '../commands/reply.js';
import { luaToReply } from './convert.js';
import { LUA_OK, LUA_YIELD, type LuaThread, type LuaVm, T_STRING, T_TABLE } from './lua/vm.js';
import type { LuaContext } from './lua-context.js';
import { lua51Message } from './messages.js';
import type { RunState } from './script-call.js';
import { scriptClient } from './script-client.js';

/** Redis's count hook period (luaMaskCountHook, 100000 instructions). */
export const HOOK_INSTRUCTIONS = 100_000;

export interface RunOptions {
  readonly eval: boolean;
  /** The SHA1 of an EVAL script, or the function name: the `script: ...` part of errors. */
  readonly name: string;
  readonly readOnly: boolean;
  readonly allowOom: boolean;
  readonly oomAtStart: boolean;
}

export class ScriptRun implements RunState {
  readonly ctx: CommandContext & { readonly fromScript: true };
  readonly readOnly: boolean;
  readonly allowOom: boolean;
  readonly oomAtStart: boolean;
  readonly eval: boolean;
  readonly name: string;
  wrote = false;
  /** The calling command's name, keys and arguments (see `command`). */
  private commandName = '';
  private keys: readonly Buffer[] = [];
  private args: readonly Buffer[] = [];
  /** The server clock is held for this run (released when it ends). */
  clockHeld = false;
  /** The run is a propagation unit: its commands reach replicas together when it ends. */
  propagating = false;
  resp: 2 | 3 = 2;
  replicate = true;
  readonly startedMs = performance.now();
  /** Past busy-reply-threshold: other clients get BUSY, the run goes on in slices. */
  timedOut = false;
  /** Started inside EXEC: cannot wait for the event loop, so never yields. */
  readonly canYield: boolean;
  co: LuaThread | null = null;
  settle: ((r: Reply) => void) | null = null;
  /** The caller's queued out-of-band replies when the run began (see Runner.end). */
  readonly startPushes: Reply[] | null;

  constructor(
    readonly caller: CommandContext,
    readonly lua: LuaContext,
    opts: RunOptions,
    canYield: boolean,
  ) {
    this.startPushes = caller.client.deferredPushes;
    this.ctx = scriptClient(caller.client).context(caller.server);
    this.eval = opts.eval;
    this.name = opts.name;
    this.readOnly = opts.readOnly;
    this.allowOom = opts.allowOom;
    this.oomAtStart = opts.oomAtStart;
    this.canYield = canYield;
  }

  setCommand(name: string, keys: readonly Buffer[], args: readonly Buffer[]): void {
    this.commandName = name;
    this.keys = keys;
    this.args = args;
  }

  /** The calling command line (FUNCTION STATS `command`), built when asked. */
  get command(): Buffer[] {
    return [
      Buffer.from(this.commandName),
      Buffer.from(this.name),
      Buffer.from(String(this.keys.length)),
      ...this.keys,
      ...this.args,
    ];
  }

  /** The BUSY error others get while this run is past the threshold. */
  busyError(): ErrorReply {
    return this.eval ? BUSY_EVAL : BUSY_FUNCTION;
  }
}

export const BUSY_EVAL = new ErrorReply(
  'BUSY',
  'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
);
export const BUSY_FUNCTION = new ErrorReply(
  'BUSY',
  'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.',
);
const KILLED = 'ERR Script killed by user with SCRIPT KILL...';

/** What the runner needs from the engine around it. */
export interface RunHost {
  readonly vm: LuaVm;
  /** busy-reply-threshold in ms (0: never). */
  thresholdMs(): number;
  /** A run crossed the threshold (log it, as Redis does). */
  onTimedOut(run: ScriptRun, elapsedMs: number): void;
  /** The run ended (busy state cleared, blocked clients served). */
  onEnd(run: ScriptRun): void;
  /** The server is shutting down: a suspended run is dropped. */
  closing(): boolean;
}

export class Runner {
  current: ScriptRun | null = null;

  constructor(private readonly host: RunHost) {}

  /**
   * Start `run` on the function anchored at `ref`: EVAL passes KEYS/ARGV as globals, FCALL as
   * the two arguments. Answers synchronously unless the run outlives the threshold.
   */
  start(run: ScriptRun, ref: number, keys: Buffer[], args: Buffer[]): Reply | Promise<Reply> {
    const vm = this.host.vm;
    const lua = run.lua;
    const co = lua.thread();
    run.co = co;
    vm.settop(co, 0);
    let nargs = 1;
    if (run.eval) lua.setArgs(co, keys, args);
    lua.pushRun(co, ref);
    if (!run.eval) {
      pushList(vm, co, keys);
      pushList(vm, co, args);
      nargs = 3;
    }
    this.current = run;
    // The script sees one time from start to end (Redis's script time snapshot).
    run.ctx.server.clock.hold?.();
    run.clockHeld = true;
    // Its commands reach replicas as one unit (MULTI ... EXEC when several), even when the run
    // outlives its EVAL / FCALL command.
    const propagation = run.ctx.server.propagation;
    if (propagation.active) {
      propagation.openUnit();
      run.propagating = true;
    }
    // Set (or cleared) at each start, and left as it is when the run ends: the hook does
    // nothing without a current run, and the coroutine only runs for runs.
    if (this.host.thresholdMs() > 0) vm.setCountHook(co, HOOK_INSTRUCTIONS, this.hook);
    else vm.setCountHook(co, 0, null);
    return this.step(run, nargs);
  }

  private readonly hook = (L: LuaThread): void => {
    const run = this.current;
    if (run === null) return;
    if (!run.timedOut) {
      const threshold = this.host.thresholdMs();
      const elapsed = performance.now() - run.startedMs;
      if (threshold <= 0 || elapsed < threshold) return;
      run.timedOut = true;
      this.host.onTimedOut(run, elapsed);
    }
    const vm = this.host.vm;
    if (run.canYield && L === run.co && vm.isyieldable(L)) vm.yieldFromHook(L);
  };

  private step(run: ScriptRun, nargs: number): Reply | Promise<Reply> {
    const vm = this.host.vm;
    const co = run.co!;
    const status = withBlockingDenied(() => vm.resume(co, run.lua.L, nargs));
    if (status === LUA_YIELD) {
      if (run.settle === null) {
        const p = new Promise<Reply>((resolve) => {
          run.settle = resolve;
        });
        setImmediate(() => this.resumeLater(run));
        return p;
      }
      setImmediate(() => this.resumeLater(run));
      return NOT_DONE;
    }
    return this.finish(run, status);
  }

  private resumeLater(run: ScriptRun): void {
    if (this.current !== run) return;
    if (this.host.closing()) {
      this.abandon(run, new ErrorReply('ERR', 'ERR Script killed by the server shutting down'));
      return;
    }
    const r = this.step(run, 0);
    if (r !== NOT_DONE && !(r instanceof Promise)) run.settle?.(r);
  }

  /** SCRIPT KILL / FUNCTION KILL of the suspended run: drop it and answer its caller. */
  kill(run: ScriptRun): void {
    const where = run.lua.where(run.co!);
    const at = where === null ? '' : ` script: ${run.name}, on ${where[0]}:${where[1]}.`;
    this.abandon(run, new ErrorReply('ERR', `${KILLED}${at}`));
  }

  private abandon(run: ScriptRun, reply: ErrorReply): void {
    run.lua.dropThread();
    this.end(run);
    run.settle?.(reply);
  }

  private finish(run: ScriptRun, status: number): Reply {
    const vm = this.host.vm;
    const co = run.co!;
    let reply: Reply;
    if (status === LUA_OK && vm.toboolean(co, 1)) {
      vm.settop(co, 2);
      reply = luaToReply(vm, co, run.resp);
      vm.settop(co, 0);
    } else {
      reply = errorReply(vm, co, run, status === LUA_OK ? 2 : -1);
      if (status === LUA_OK) vm.settop(co, 0);
      else run.lua.dropThread();
    }
    this.end(run);
    return reply;
  }

  private end(run: ScriptRun): void {
    if (this.current === run) this.current = null;
    if (run.clockHeld) {
      run.clockHeld = false;
      run.ctx.server.clock.release?.();
    }
    if (run.propagating) {
      run.propagating = false;
      run.ctx.server.propagation.closeUnit();
    }
    // Out-of-band replies queued on the script's client copy belong to the caller (an array
    // both shared from the start already is the caller's).
    const caller = run.caller.client;
    const added = run.ctx.client.deferredPushes;
    if (added !== null && added !== run.startPushes) {
      caller.deferredPushes = caller.deferredPushes === null ? added : [...caller.deferredPushes, ...added];
    }
    this.host.onEnd(run);
  }
}

/** A slice that yielded again: the promise given out earlier settles later. */
const NOT_DONE = Symbol('not-done') as unknown as Reply;

function pushList(vm: LuaVm, L: LuaThread, items: readonly Buffer[]): void {
  vm.createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    vm.pushbytes(L, items[i]);
    vm.rawseti(L, -2, i + 1);
  }
}

/**
 * The reply for a script that raised an error (Redis's luaCallFunction): `-<err> script:
 * <name>, on <source>:<line>.` from the handler's table; a bare string (a memory error)
 * becomes "Error running script <name>, <message>".
 */
function errorReply(vm: LuaVm, co: LuaThread, run: ScriptRun, idx: number): ErrorReply {
  if (vm.type(co, idx) === T_TABLE) {
    const text = (name: string): string | null => {
      vm.pushstring(co, name);
      const t = vm.rawget(co, idx < 0 ? idx - 1 : idx);
      const v = t === T_STRING || t === 3 ? vm.tobytes(co, -1)!.toString('utf8') : null;
      vm.settop(co, -2);
      return v;
    };
    const err = text('err');
    const source = text('source');
    const line = text('line');
    vm.pushstring(co, 'ignore_error_stats_update');
    vm.rawget(co, idx < 0 ? idx - 1 : idx);
    const counted = vm.toboolean(co, -1);
    vm.settop(co, -2);
    if (err !== null) {
      let msg = lua51Message(err.replace(/^-/, ''));
      if (source !== null && line !== null) msg += ` script: ${run.name}, on ${source}:${line}.`;
      const e = new ErrorReply(kindOf(msg), msg.replace(/[\r\n]/g, ' '));
      e.statsCounted = counted;
      return e;
    }
  }
  const raw = vm.type(co, idx) === T_STRING ? vm.tobytes(co, idx)!.toString('utf8') : 'execution failure';
  return new ErrorReply(
    'ERR',
    `ERR Error running script ${run.name}, ${raw.slice(0, 100)}`.replace(/[\r\n]/g, ' '),
  );
}

function kindOf(msg: string): ErrorReply['kind'] {
  if (msg.startsWith('NOPERM ')) return 'NOPERM';
  if (msg.startsWith('WRONGTYPE ')) return 'WRONGTYPE';
  if (msg.startsWith('OOM ')) return 'OOM';
  return 'ERR';
}
