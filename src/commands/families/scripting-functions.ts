/**
 * FCALL, FCALL_RO and FUNCTION (LOAD, DELETE, LIST, DUMP, RESTORE, FLUSH, STATS, KILL, HELP),
 * worded as Redis 7.0's functions.c. Libraries live in src/scripting/functions.ts.
 */
import { ErrorReply } from '../../errors.js';
import { decodeDump, encodeDump } from '../../scripting/dump.js';
import { parseLibraryHeader } from '../../scripting/functions.js';
import { globMatch } from '../../util/glob.js';
import type { CommandContext } from '../context.js';
import { bulk, MapReply, OK, type Reply, SetReply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { helpReply, oneLine } from './redis-compat.js';
import { flushMode, NUMKEYS_AT_2, NUMKEYS_AT_2_RO, splitKeys } from './scripting.js';

function fcallGeneric(ro: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> => {
    const split = splitKeys(argv, true);
    if (split instanceof ErrorReply) return split;
    const engine = ctx.server.scripting;
    return engine.whenReady(() => engine.fcall(ctx, argv[1].toString('utf8'), ro, split.keys, split.args));
  };
}

function functionLoad(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  let replace = false;
  for (let i = 2; i < argv.length - 1; i++) {
    const opt = argv[i].toString('utf8');
    if (opt.toLowerCase() === 'replace') replace = true;
    else return new ErrorReply('ERR', `ERR Unknown option given: ${opt}`);
  }
  const code = argv[argv.length - 1];
  const engine = ctx.server.scripting;
  return engine.whenReady(() => {
    const r = engine.functions.load(code, replace);
    if (r instanceof ErrorReply) return r;
    ctx.server.dirty++;
    return bulk(r);
  });
}

function functionDelete(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const engine = ctx.server.scripting;
  return engine.whenReady(() => {
    if (!engine.functions.delete(argv[2].toString('utf8')))
      return new ErrorReply('ERR', 'ERR Library not found');
    ctx.server.dirty++;
    return OK;
  });
}

function functionList(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  let withCode = false;
  let pattern: Buffer | null = null;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i].toString('utf8');
    const lower = opt.toLowerCase();
    if (lower === 'withcode' && !withCode) withCode = true;
    else if (lower === 'libraryname' && pattern === null) {
      if (i + 1 >= argv.length) return new ErrorReply('ERR', 'ERR library name argument was not given');
      pattern = argv[++i];
    } else return new ErrorReply('ERR', `ERR Unknown argument ${opt}`);
  }
  const engine = ctx.server.scripting;
  return engine.whenReady(() => {
    const out: Reply[] = [];
    for (const lib of engine.functions.libraries.values()) {
      if (pattern !== null && !globMatch(pattern, Buffer.from(lib.name))) continue;
      const fns: Reply[] = [];
      for (const f of lib.functions.values()) {
        fns.push(
          new MapReply([
            [bulk('name'), bulk(f.name)],
            [bulk('description'), f.description === null ? null : bulk(f.description)],
            [bulk('flags'), new SetReply([...f.flags].map((x) => new SimpleReply(x)))],
          ]),
        );
      }
      const entries: Array<[Reply, Reply]> = [
        [bulk('library_name'), bulk(lib.name)],
        [bulk('engine'), bulk('LUA')],
        [bulk('functions'), fns],
      ];
      if (withCode) entries.push([bulk('library_code'), lib.code]);
      out.push(new MapReply(entries));
    }
    return out;
  });
}

function functionDump(ctx: CommandContext): Reply | Promise<Reply> {
  const engine = ctx.server.scripting;
  return engine.whenReady(() => encodeDump([...engine.functions.libraries.values()].map((l) => l.code)));
}

function functionRestore(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  let policy = 'append';
  if (argv.length > 4) {
    return new ErrorReply(
      'ERR',
      `ERR unknown subcommand or wrong number of arguments for '${oneLine(argv[1].toString('utf8').slice(0, 128))}'. Try FUNCTION HELP.`,
    );
  }
  if (argv.length === 4) {
    policy = argv[3].toString('latin1').toLowerCase();
    if (policy !== 'flush' && policy !== 'append' && policy !== 'replace') return badPolicy;
  }
  const engine = ctx.server.scripting;
  return engine.whenReady(() => {
    const codes = decodeDump(argv[2]);
    if (codes === null) return new ErrorReply('ERR', 'ERR DUMP payload version or checksum are wrong');
    return restoreLibraries(ctx, codes, policy as 'flush' | 'append' | 'replace');
  });
}

const badPolicy = new ErrorReply(
  'ERR',
  'ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.',
);

/** Load every library of a dump, all or nothing: on a failure the previous libraries come back. */
export function restoreLibraries(
  ctx: CommandContext,
  codes: Buffer[],
  policy: 'flush' | 'append' | 'replace',
): Reply {
  const engine = ctx.server.scripting;
  const store = engine.functions;
  if (policy === 'append') {
    for (const code of codes) {
      const head = parseLibraryHeader(code);
      if (head instanceof ErrorReply) return head;
      if (store.libraries.has(head.name))
        return new ErrorReply('ERR', `ERR Library ${head.name} already exists`);
    }
  }
  const before = [...store.libraries.values()].map((l) => l.code);
  if (policy === 'flush') engine.flushFunctions();
  for (const code of codes) {
    const r = engine.functions.load(code, policy !== 'append');
    if (r instanceof ErrorReply) {
      engine.flushFunctions();
      for (const c of before) engine.functions.load(c, true);
      return r;
    }
  }
  ctx.server.dirty++;
  return OK;
}

function functionFlush(ctx: CommandContext, argv: Buffer[]): Reply {
  const err = flushMode(argv, 'FUNCTION');
  if (err !== null) return err;
  ctx.server.scripting.flushFunctions();
  ctx.server.dirty++;
  return OK;
}

function functionStats(ctx: CommandContext): Reply {
  const engine = ctx.server.scripting;
  const run = engine.running;
  let running: Reply = null;
  if (run !== null && !run.eval) {
    running = new MapReply([
      [bulk('name'), bulk(run.name)],
      [bulk('command'), run.command],
      [bulk('duration_ms'), Math.round(performance.now() - run.startedMs)],
    ]);
  }
  const libs = engine.ready ? engine.functions.libraries.size : 0;
  const fns = engine.ready ? engine.functions.functions.size : 0;
  return new MapReply([
    [bulk('running_script'), running],
    [
      bulk('engines'),
      new MapReply([
        [
          bulk('LUA'),
          new MapReply([
            [bulk('libraries_count'), libs],
            [bulk('functions_count'), fns],
          ]),
        ],
      ]),
    ],
  ]);
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

const FN = { group: 'scripting', since: '7.0.0' } as const;

export const functionCommands: readonly CommandSpec[] = [
  command({
    ...FN,
    name: 'fcall',
    arity: -3,
    flags: ['no-script', 'stale'],
    keySpecs: NUMKEYS_AT_2,
    summary: 'Invokes a function.',
    complexity: 'Depends on the function that is executed.',
    syntax: 'function numkeys [key [key ...]] [arg [arg ...]]',
    handler: fcallGeneric(false),
  }),
  command({
    ...FN,
    name: 'fcall_ro',
    arity: -3,
    flags: ['readonly', 'no-script', 'stale'],
    keySpecs: NUMKEYS_AT_2_RO,
    summary: 'Invokes a read-only function.',
    complexity: 'Depends on the function that is executed.',
    syntax: 'function numkeys [key [key ...]] [arg [arg ...]]',
    handler: fcallGeneric(true),
  }),
  command({
    ...FN,
    name: 'function',
    arity: -2,
    summary: 'A container for function commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      command({
        ...FN,
        name: 'load',
        arity: -3,
        flags: ['write', 'denyoom', 'no-script'],
        summary: 'Creates a library.',
        complexity: 'O(1) (considering compilation time is redundant)',
        syntax: '[REPLACE] function-code',
        handler: functionLoad,
      }),
      command({
        ...FN,
        name: 'delete',
        arity: 3,
        flags: ['write', 'no-script'],
        summary: 'Deletes a library and its functions.',
        complexity: 'O(1)',
        syntax: 'library-name',
        handler: functionDelete,
      }),
      command({
        ...FN,
        name: 'list',
        arity: -2,
        flags: ['no-script'],
        summary: 'Returns information about all libraries.',
        complexity: 'O(N) where N is the number of functions',
        syntax: '[LIBRARYNAME library-name-pattern] [WITHCODE]',
        handler: functionList,
      }),
      command({
        ...FN,
        name: 'dump',
        arity: 2,
        flags: ['no-script'],
        summary: 'Dumps all libraries into a serialized binary payload.',
        complexity: 'O(N) where N is the number of functions',
        syntax: '',
        handler: functionDump,
      }),
      command({
        ...FN,
        name: 'restore',
        arity: -3,
        flags: ['write', 'denyoom', 'no-script'],
        summary: 'Restores all libraries from a payload.',
        complexity: 'O(N) where N is the number of functions on the payload',
        syntax: 'serialized-value [FLUSH | APPEND | REPLACE]',
        handler: functionRestore,
      }),
      command({
        ...FN,
        name: 'flush',
        arity: -2,
        flags: ['write', 'no-script'],
        summary: 'Deletes all libraries and functions.',
        complexity: 'O(N) where N is the number of functions deleted',
        syntax: '[ASYNC | SYNC]',
        handler: functionFlush,
      }),
      command({
        ...FN,
        name: 'stats',
        arity: 2,
        flags: ['no-script', 'allow-busy'],
        summary: 'Returns information about a function during execution.',
        complexity: 'O(1)',
        syntax: '',
        handler: functionStats,
      }),
      command({
        ...FN,
        name: 'kill',
        arity: 2,
        flags: ['no-script', 'allow-busy'],
        summary: 'Terminates a function during execution.',
        complexity: 'O(1)',
        syntax: '',
        handler: (ctx) => ctx.server.scripting.kill(false),
      }),
      command({
        ...FN,
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        summary: 'Returns helpful text about the different subcommands.',
        complexity: 'O(1)',
        syntax: '',
        handler: (_ctx, argv) => helpReply(argv[0], FUNCTION_HELP),
      }),
    ],
  }),
];
