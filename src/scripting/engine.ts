/**
 * Scripting for one server: the Lua VM (created on first use, or at start by the lifecycle),
 * the EVAL script cache and its Lua state, the function libraries and theirs, the run in
 * progress and the BUSY state the dispatcher reads. Commands (families/scripting*.ts) call in
 * here; every command a script runs goes back through the server's dispatcher.
 */
import { createHash } from 'node:crypto';
import { blockingDenied } from '../commands/blocking.js';
import type { CommandContext, ServerApi } from '../commands/context.js';
import { Dispatcher } from '../commands/dispatch.js';
import { REDIS_COMPAT_VERSION } from '../commands/families/redis-compat.js';
import { makeRoom } from '../commands/memory-limit.js';
import { ErrorReply, OK, type Reply } from '../commands/reply.js';
import { Errors } from '../errors.js';
import { sameBytes } from '../util/same-bytes.js';
import { decodeDump, encodeDump } from './dump.js';
import { FunctionStore, SCRIPT_FLAGS, type ScriptFlag } from './functions.js';
import { libraries } from './libs/index.js';
import type { LuaVm } from './lua/vm.js';
import type { WasmLuaVm } from './lua/wasm-vm.js';
import { LuaContext } from './lua-context.js';
import { lua51Message } from './messages.js';
import { Rand48 } from './rand48.js';
import { type LogLevel, redisApi } from './redis-api.js';
import { BUSY_EVAL, BUSY_FUNCTION, Runner, type RunOptions, ScriptRun } from './run.js';

export interface CachedScript {
  readonly ref: number;
  readonly body: Buffer;
  /** Null: no shebang (Redis's eval compatibility mode); else the flags the shebang set. */
  readonly flags: ReadonlySet<ScriptFlag> | null;
}

const NOTBUSY = new ErrorReply('NOTBUSY', 'NOTBUSY No scripts in execution right now.');
const UNKILLABLE = new ErrorReply(
  'UNKILLABLE',
  'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
);
export const NOSCRIPT = new ErrorReply('NOSCRIPT', 'NOSCRIPT No matching script. Please use EVAL.');

/** wasmoon is imported on first use too: a server that runs no script never loads it. */
const createWasmVm = async (): Promise<WasmLuaVm> => (await import('./lua/wasm-vm.js')).WasmLuaVm.create();

const NO_REPLICAS = new ErrorReply('UNAVAILABLE', 'NOREPLICAS Not enough good replicas to write.');

/** A script's shebang flags: null without a shebang (eval compatibility mode). */
function shebangFlags(body: Buffer): Set<ScriptFlag> | null | ErrorReply {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return null;
  let end = body.indexOf(0x0a);
  if (end < 0) end = body.length;
  const parts = body.subarray(0, end).toString('utf8').split(' ');
  if (parts[0] !== '#!lua')
    return new ErrorReply('ERR', `ERR Unexpected engine in script shebang: ${parts[0]}`);
  const flags = new Set<ScriptFlag>();
  for (const p of parts.slice(1)) {
    if (!p.startsWith('flags=')) return new ErrorReply('ERR', `ERR Unknown lua shebang option: ${p}`);
    for (const f of p.slice(6).split(',')) {
      if (f === '') continue;
      if (!(SCRIPT_FLAGS as readonly string[]).includes(f))
        return new ErrorReply('ERR', `ERR Unexpected flag in script shebang: ${f}`);
      flags.add(f as ScriptFlag);
    }
  }
  return flags;
}

export class ScriptEngine {
  /** The BUSY error for other clients while a run is past busy-reply-threshold. */
  busy: ErrorReply | null = null;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS 1: scripts may run no-script commands (Redis's test hook). */
  allowNoScript = false;
  readonly rand = new Rand48();
  readonly resolver: Dispatcher;
  private vmInstance: LuaVm | null = null;
  private starting: Promise<void> | null = null;
  /** Set while the VM starts for a waiting command: the dispatcher holds every other command. */
  gate: Promise<void> | null = null;
  private evalCtx: LuaContext | null = null;
  private fnCtx: LuaContext | null = null;
  readonly scripts = new Map<string, CachedScript>();
  private scriptBytes = 0;
  private runner: Runner | null = null;
  private store: FunctionStore | null = null;
  private lastShaArg: Buffer | null = null;
  private lastShaKey = '';

  constructor(
    private readonly server: ServerApi,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {
    this.resolver = new Dispatcher(server.table);
  }

  get ready(): boolean {
    return this.vmInstance !== null;
  }

  /** Create the VM and both Lua states (about 50 ms); idempotent. */
  init(): Promise<void> {
    if (this.starting === null) {
      this.starting = createWasmVm().then((vm) => {
        vm.setMemoryLimit(this.server.config.int('lua-max-memory'));
        this.server.config.onChange((name, value) => {
          if (name === 'lua-max-memory') vm.setMemoryLimit(Number(value));
        });
        this.vmInstance = vm;
        this.runner = new Runner({
          vm,
          thresholdMs: () => this.server.config.int('busy-reply-threshold'),
          onTimedOut: (run, ms) => {
            this.busy = run.busyError();
            this.log(
              'warning',
              `Slow script detected: still in execution after ${Math.round(ms)} milliseconds. You can try killing the script using the ${run.eval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command.`,
            );
          },
          onEnd: (run) => {
            this.busy = null;
            // A run that ended inside its command is followed by the dispatcher's own serving
            // (after the command's writes reached replicas); one that outlived it serves here.
            const bk = this.server.blockedKeys;
            if (run.settle !== null && bk.pending && !blockingDenied()) bk.serveReady();
          },
          closing: () => this.server.closing,
        });
        this.evalCtx = this.newContext(false);
        this.store = new FunctionStore(vm, () => this.fnCtx!);
        this.fnCtx = this.newContext(true);
      });
    }
    return this.starting;
  }

  private newContext(functionMode: boolean): LuaContext {
    const vm = this.vmInstance!;
    const host = redisApi({
      vm,
      resolver: this.resolver,
      rand: this.rand,
      current: () => this.runner?.current ?? null,
      log: this.log,
      version: REDIS_COMPAT_VERSION,
    });
    Object.assign(host, libraries(vm));
    if (functionMode) host.register_function = this.store!.registerFunction;
    return new LuaContext(vm, host, functionMode);
  }

  /** Run `fn` once the VM is up: synchronously when it is, else after init (see `gate`). */
  whenReady(fn: () => Reply | Promise<Reply>): Reply | Promise<Reply> {
    if (this.vmInstance !== null) return fn();
    if (blockingDenied()) return new ErrorReply('ERR', 'ERR the scripting engine is starting, try again');
    return this.startThen(fn, (err) => new ErrorReply('ERR', `ERR scripting unavailable: ${err.message}`));
  }

  /**
   * Start the VM for a command that waits for it, then run `fn`. Meanwhile every other command
   * waits at the dispatcher (`gate`): a script is atomic from the moment it arrives, as in Redis,
   * where it would already be running, so nothing that arrived after it may run before it (a
   * SCRIPT KILL sent during the start meets the running script, not NOTBUSY).
   */
  startThen(fn: () => Reply | Promise<Reply>, onError: (err: Error) => Reply): Promise<Reply> {
    if (this.gate !== null) return this.gate.then(() => (this.ready ? fn() : this.startThen(fn, onError)));
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const t0 = performance.now();
    this.log('notice', 'Starting the Lua VM; other commands wait for it');
    return this.init().then(
      () => {
        this.log('notice', `Lua VM ready in ${Math.round(performance.now() - t0)} ms`);
        // Commands held at the gate run after fn's synchronous part: after the script, or once it
        // is past busy-reply-threshold (then they meet BUSY, and SCRIPT KILL finds it).
        this.gate = null;
        try {
          return fn();
        } finally {
          open();
        }
      },
      (err: Error) => {
        this.gate = null;
        open();
        return onError(err);
      },
    );
  }

  get functions(): FunctionStore {
    return this.store!;
  }

  get running(): ScriptRun | null {
    return this.runner?.current ?? null;
  }

  // ---- EVAL scripts --------------------------------------------------------------------------

  /** SCRIPT LOAD / EVAL's compile: the cached script for `body`, or the error reply. */
  loadScript(body: Buffer): { sha: string; script: CachedScript } | ErrorReply {
    const sha = createHash('sha1').update(body).digest('hex');
    const have = this.scripts.get(sha);
    if (have !== undefined) return { sha, script: have };
    const flags = shebangFlags(body);
    if (flags instanceof ErrorReply) return flags;
    let code = body;
    if (flags !== null) {
      let end = body.indexOf(0x0a);
      if (end < 0) end = body.length;
      // Blank the shebang line (a comment) so that line numbers stay the script's own.
      code = Buffer.from(body);
      code.fill(0x20, 0, end);
      code[0] = 0x2d;
      code[1] = 0x2d;
    }
    const ref = this.evalCtx!.compile(code, '@user_script');
    if (typeof ref === 'string')
      return new ErrorReply(
        'ERR',
        `ERR Error compiling script (new function): ${lua51Message(ref)}`.replace(/\r?\n/g, ' '),
      );
    const script = { ref, body: Buffer.from(body), flags };
    this.scripts.set(sha, script);
    this.scriptBytes += body.length + 40 + 96;
    return { sha, script };
  }

  /**
   * Whether EVAL / EVALSHA / FCALL of `arg` (a script, a SHA, a function name) may write, as
   * Redis's evalGetCommandFlags / fcallGetCommandFlags tell CLIENT PAUSE WRITE: a script that
   * declares flags may write unless no-writes; one without (or unknown, or malformed) may.
   */
  mayWrite(command: 'eval' | 'evalsha' | 'fcall', arg: Buffer): boolean {
    let flags: ReadonlySet<ScriptFlag> | null | ErrorReply = null;
    if (command === 'fcall') {
      flags = this.store?.functions.get(arg.toString('utf8').toLowerCase())?.flags ?? null;
    } else if (command === 'evalsha') {
      flags = this.scripts.get(arg.toString('latin1').toLowerCase())?.flags ?? null;
    } else {
      const sha = createHash('sha1').update(arg).digest('hex');
      flags = this.scripts.get(sha)?.flags ?? shebangFlags(arg);
    }
    return flags === null || flags instanceof ErrorReply || !flags.has('no-writes');
  }

  /** An EVALSHA argument as the cache's key (lowercase), remembering the last one asked for. */
  private shaText(arg: Buffer): string {
    const last = this.lastShaArg;
    if (last !== null && sameBytes(arg, last)) return this.lastShaKey;
    const sha = arg.toString('latin1').toLowerCase();
    this.lastShaArg = Buffer.from(arg);
    this.lastShaKey = sha;
    return sha;
  }

  /** EVAL / EVALSHA / EVAL_RO / EVALSHA_RO after argument checks. */
  evalScript(
    ctx: CommandContext,
    shaOrBody: Buffer,
    bySha: boolean,
    ro: boolean,
    keys: Buffer[],
    args: Buffer[],
  ) {
    let sha: string;
    let script: CachedScript | undefined;
    if (bySha) {
      if (shaOrBody.length !== 40) return NOSCRIPT;
      sha = this.shaText(shaOrBody);
      script = this.scripts.get(sha);
      if (script === undefined) return NOSCRIPT;
    } else {
      const r = this.loadScript(shaOrBody);
      if (r instanceof ErrorReply) return r;
      sha = r.sha;
      script = r.script;
    }
    const opts = this.prepare(ctx, script.flags, ro, true, sha);
    if (opts instanceof ErrorReply) return opts;
    return this.start(ctx, this.evalCtx!, opts, script.ref, keys, args);
  }

  /** FCALL / FCALL_RO after argument checks. */
  fcall(
    ctx: CommandContext,
    name: string,
    ro: boolean,
    keys: Buffer[],
    args: Buffer[],
  ): Reply | Promise<Reply> {
    const f = this.store!.functions.get(name.toLowerCase());
    if (f === undefined) return new ErrorReply('ERR', 'ERR Function not found');
    const opts = this.prepare(ctx, f.flags, ro, false, name);
    if (opts instanceof ErrorReply) return opts;
    return this.start(ctx, this.fnCtx!, opts, f.ref, keys, args);
  }

  /** Redis's scriptPrepareForRun checks, then the run's options. */
  private prepare(
    ctx: CommandContext,
    flags: ReadonlySet<ScriptFlag> | null,
    ro: boolean,
    isEval: boolean,
    name: string,
  ): RunOptions | ErrorReply {
    const max = this.server.config.int('maxmemory');
    const oom = max > 0 && !makeRoom(this.server, max);
    if (flags !== null) {
      // Redis turns the flags into command flags: without allow-oom (or no-writes, which implies
      // it) the script is a denyoom command, refused as any other.
      if (!flags.has('allow-oom') && !flags.has('no-writes') && oom) return Errors.oom;
      if (!flags.has('no-writes') && ro)
        return new ErrorReply('ERR', 'ERR Can not execute a script with write flag using *_ro command.');
      // A script that may write needs the good replicas min-replicas-to-write asks for (Cairn
      // has none), as Redis's scriptPrepareForRun checks before it runs.
      if (!flags.has('no-writes') && this.server.config.int('min-replicas-to-write') > 0) return NO_REPLICAS;
    }
    void ctx;
    return {
      eval: isEval,
      name,
      readOnly: ro || flags?.has('no-writes') === true,
      allowOom: flags !== null && (flags.has('allow-oom') || flags.has('no-writes')),
      oomAtStart: oom,
    };
  }

  private start(
    ctx: CommandContext,
    lua: LuaContext,
    opts: RunOptions,
    ref: number,
    keys: Buffer[],
    args: Buffer[],
  ): Reply | Promise<Reply> {
    const run = new ScriptRun(ctx, lua, opts, !blockingDenied());
    run.setCommand(ctx.client.lastCommand, keys, args);
    return this.runner!.start(run, ref, keys, args);
  }

  scriptExists(sha: Buffer): boolean {
    return this.scripts.has(sha.toString('latin1').toLowerCase());
  }

  /** SCRIPT FLUSH: a new Lua state for EVAL scripts (the PRNG sequence goes on). */
  flushScripts(): void {
    if (this.vmInstance === null) return;
    this.evalCtx!.close();
    this.scripts.clear();
    this.scriptBytes = 0;
    this.evalCtx = this.newContext(false);
  }

  /** FUNCTION FLUSH (and RESTORE FLUSH): a new Lua state for functions. */
  flushFunctions(): void {
    if (this.vmInstance === null) return;
    this.fnCtx!.close();
    this.store!.clear();
    this.fnCtx = this.newContext(true);
  }

  /** SCRIPT KILL (isEval) / FUNCTION KILL. */
  kill(isEval: boolean): Reply {
    const run = this.running;
    if (run === null || !run.timedOut || run.settle === null) return NOTBUSY;
    if (run.wrote) return UNKILLABLE;
    if (isEval && !run.eval) return BUSY_FUNCTION;
    if (!isEval && run.eval) return BUSY_EVAL;
    this.runner!.kill(run);
    return OK;
  }

  /** Function libraries in snapshots: what is saved, and how a loaded snapshot's come back. */
  readonly snapshotFunctions = {
    dump: (): Buffer | null => {
      if (this.store === null || this.store.libraries.size === 0) return null;
      return encodeDump([...this.store.libraries.values()].map((l) => l.code));
    },
    restore: (payload: Buffer): void => {
      const codes = decodeDump(payload);
      if (codes === null) throw new Error('the function libraries in the snapshot are damaged');
      this.flushFunctions();
      for (const code of codes) {
        const r = this.store!.load(code, true);
        if (r instanceof ErrorReply)
          throw new Error(`a function library in the snapshot does not load: ${r.message}`);
      }
    },
  };

  /** Bytes held by the two Lua VMs (what maxmemory counts beside the dataset). */
  get vmMemory(): number {
    return (this.evalCtx?.memory ?? 0) + (this.fnCtx?.memory ?? 0);
  }

  /** INFO memory's scripting fields, named and ordered as Redis 7.0 prints them. */
  memoryInfo(): Array<[string, string | number]> {
    const vmEval = this.evalCtx?.memory ?? 0;
    const vmFn = this.fnCtx?.memory ?? 0;
    const fnMem = this.store?.memory ?? 200;
    const scriptsEval = this.scriptBytes;
    const human = (n: number) => humanBytes(n);
    return [
      ['used_memory_lua', vmEval],
      ['used_memory_vm_eval', vmEval],
      ['used_memory_lua_human', human(vmEval)],
      ['used_memory_scripts_eval', scriptsEval],
      ['number_of_cached_scripts', this.scripts.size],
      ['number_of_functions', this.store?.functions.size ?? 0],
      ['used_memory_vm_functions', vmFn],
      ['used_memory_vm_total', vmEval + vmFn],
      ['used_memory_vm_total_human', human(vmEval + vmFn)],
      ['used_memory_functions', fnMem],
      ['used_memory_scripts', scriptsEval + fnMem],
      ['used_memory_scripts_human', human(scriptsEval + fnMem)],
    ];
  }
}

/** Redis's bytesToHuman. */
function humanBytes(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  let i = 0;
  while (d >= 1024 && i < units.length - 1) {
    d /= 1024;
    i++;
  }
  return `${d.toFixed(2)}${units[i]}`;
}
