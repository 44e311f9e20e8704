/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (LOAD, EXISTS, FLUSH, KILL, DEBUG, HELP), worded
 * as Redis 7.0's eval.c. The scripts themselves run in src/scripting/ (engine.ts), whose
 * redis.call comes back through the dispatcher.
 */
import { ErrorReply } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { bulk, OK, type Reply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command, type KeySpec } from '../spec.js';
import { helpReply, oneLine } from './redis-compat.js';

/** numkeys as a number (NaN when it is not an integer), without a string for short ones. */
function keyCount(b: Buffer): number {
  const len = b.length;
  if (len === 0 || len > 15) {
    const raw = b.toString('latin1');
    return /^-?[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  }
  const neg = b[0] === 0x2d;
  if (neg && len === 1) return Number.NaN;
  let n = 0;
  for (let i = neg ? 1 : 0; i < len; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/** numkeys, keys and arguments of EVAL / FCALL, or the error Redis gives. */
export function splitKeys(argv: Buffer[], fcall: boolean): { keys: Buffer[]; args: Buffer[] } | ErrorReply {
  const n = keyCount(argv[2]);
  if (!Number.isSafeInteger(n))
    return new ErrorReply(
      'ERR',
      fcall ? 'ERR Bad number of keys provided' : 'ERR value is not an integer or out of range',
    );
  if (n > argv.length - 3)
    return new ErrorReply('ERR', "ERR Number of keys can't be greater than number of args");
  if (n < 0) return new ErrorReply('ERR', "ERR Number of keys can't be negative");
  return { keys: argv.slice(3, 3 + n), args: argv.slice(3 + n) };
}

function evalGeneric(bySha: boolean, ro: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> => {
    const split = splitKeys(argv, false);
    if (split instanceof ErrorReply) return split;
    const engine = ctx.server.scripting;
    return engine.whenReady(() => engine.evalScript(ctx, argv[1], bySha, ro, split.keys, split.args));
  };
}

function scriptLoad(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const engine = ctx.server.scripting;
  return engine.whenReady(() => {
    const r = engine.loadScript(argv[2]);
    return r instanceof ErrorReply ? r : bulk(r.sha);
  });
}

function scriptExists(ctx: CommandContext, argv: Buffer[]): Reply {
  const engine = ctx.server.scripting;
  return argv.slice(2).map((sha) => (engine.scriptExists(sha) ? 1 : 0));
}

function flushMode(argv: Buffer[], what: 'SCRIPT' | 'FUNCTION'): ErrorReply | null {
  if (argv.length === 2) return null;
  // FUNCTION FLUSH with more than one option is a syntax error (SCRIPT FLUSH keeps its own text).
  if (what === 'FUNCTION' && argv.length > 3) {
    return new ErrorReply(
      'ERR',
      `ERR unknown subcommand or wrong number of arguments for '${oneLine(argv[1].toString('utf8').slice(0, 128))}'. Try FUNCTION HELP.`,
    );
  }
  const mode = argv.length === 3 ? argv[2].toString('latin1').toLowerCase() : '';
  if (mode === 'sync' || mode === 'async') return null;
  return new ErrorReply(
    'ERR',
    what === 'SCRIPT'
      ? 'ERR SCRIPT FLUSH only support SYNC|ASYNC option'
      : 'ERR FUNCTION FLUSH only supports SYNC|ASYNC option',
  );
}

function scriptFlush(ctx: CommandContext, argv: Buffer[]): Reply {
  const err = flushMode(argv, 'SCRIPT');
  if (err !== null) return err;
  ctx.server.scripting.flushScripts();
  return OK;
}

function scriptKill(ctx: CommandContext): Reply {
  return ctx.server.scripting.kill(true);
}

function scriptDebug(_ctx: CommandContext, argv: Buffer[]): Reply {
  const mode = argv[2].toString('latin1').toLowerCase();
  if (mode === 'no') return OK;
  if (mode === 'yes' || mode === 'sync')
    return new ErrorReply('ERR', 'ERR SCRIPT DEBUG (the Lua debugger) is not supported by this server');
  return new ErrorReply('ERR', 'ERR Use SCRIPT DEBUG YES/SYNC/NO');
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

/** EVAL's keys: numkeys at index 2, the keys after it. */
export const NUMKEYS_AT_2: readonly KeySpec[] = [
  {
    begin: { index: 2 },
    find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } },
    flags: ['RW', 'access', 'update'],
  },
];
export const NUMKEYS_AT_2_RO: readonly KeySpec[] = [
  { begin: { index: 2 }, find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } }, flags: ['RO', 'access'] },
];

const SCRIPTING = { group: 'scripting', since: '2.6.0' } as const;
const RUN: CommandFlag[] = ['no-script', 'stale'];
const RUN_RO: CommandFlag[] = ['readonly', 'no-script', 'stale'];

function runSpec(name: string, ro: boolean, bySha: boolean, summary: string, since: string): CommandSpec {
  return command({
    ...SCRIPTING,
    name,
    arity: -3,
    flags: ro ? RUN_RO : RUN,
    keySpecs: ro ? NUMKEYS_AT_2_RO : NUMKEYS_AT_2,
    summary,
    since,
    complexity: 'Depends on the script that is executed.',
    syntax: `${bySha ? 'sha1' : 'script'} numkeys [key [key ...]] [arg [arg ...]]`,
    handler: evalGeneric(bySha, ro),
  });
}

export const scriptingCommands: readonly CommandSpec[] = [
  runSpec('eval', false, false, 'Executes a server-side Lua script.', '2.6.0'),
  runSpec('evalsha', false, true, 'Executes a server-side Lua script by SHA1 digest.', '2.6.0'),
  runSpec('eval_ro', true, false, 'Executes a read-only server-side Lua script.', '7.0.0'),
  runSpec('evalsha_ro', true, true, 'Executes a read-only server-side Lua script by SHA1 digest.', '7.0.0'),
  command({
    ...SCRIPTING,
    name: 'script',
    arity: -2,
    summary: 'A container for Lua scripts management commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      command({
        ...SCRIPTING,
        name: 'load',
        arity: 3,
        flags: ['no-script', 'stale'],
        summary: 'Loads a server-side Lua script to the script cache.',
        complexity: 'O(N) with N being the length in bytes of the script body.',
        syntax: 'script',
        handler: scriptLoad,
      }),
      command({
        ...SCRIPTING,
        name: 'exists',
        arity: -3,
        flags: ['no-script'],
        summary: 'Determines whether server-side Lua scripts exist in the script cache.',
        complexity: 'O(N) with N being the number of scripts to check.',
        syntax: 'sha1 [sha1 ...]',
        handler: scriptExists,
      }),
      command({
        ...SCRIPTING,
        name: 'flush',
        arity: -2,
        flags: ['no-script'],
        summary: 'Removes all server-side Lua scripts from the script cache.',
        complexity: 'O(N) with N being the number of scripts in cache',
        syntax: '[ASYNC | SYNC]',
        handler: scriptFlush,
      }),
      command({
        ...SCRIPTING,
        name: 'kill',
        arity: 2,
        flags: ['no-script', 'allow-busy'],
        summary: 'Terminates a server-side Lua script during execution.',
        complexity: 'O(1)',
        syntax: '',
        handler: scriptKill,
      }),
      command({
        ...SCRIPTING,
        name: 'debug',
        arity: 3,
        flags: ['no-script'],
        since: '3.2.0',
        summary: 'Sets the debug mode of server-side Lua scripts.',
        complexity: 'O(1)',
        syntax: '<YES | SYNC | NO>',
        handler: scriptDebug,
      }),
      command({
        ...SCRIPTING,
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.',
        complexity: 'O(1)',
        syntax: '',
        handler: (_ctx, argv) => helpReply(argv[0], SCRIPT_HELP),
      }),
    ],
  }),
];

export { flushMode };
