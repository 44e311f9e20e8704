/**
 * CONFIG GET / SET / RESETSTAT / HELP over the ConfigStore, worded as Redis 7.0's config.c.
 * CONFIG SET is all-or-nothing: every pair is checked (unknown name, immutable, duplicate,
 * bad value) before any is applied, and a failure while applying restores the old values.
 */

import { normalise, OPTION_BY_NAME, type OptionSpec } from '../../config/schema.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { bulk, MapReply, OK, type Reply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';
import { isRebindable, isUnchangedImmutable } from './config-compat.js';
import { configRewrite } from './config-rewrite.js';
import { helpReply, oneLine } from './redis-compat.js';

const GLOB_CHARS = /[*?[]/;
/** A memory value as Redis's memtoull accepts it: digits and an optional k/kb/m/mb/g/gb unit. */
const MEMORY_VALUE = /^\d+([kmg]b?)?$/i;

function setFailed(arg: string, reason: string): ErrorReply {
  return new ErrorReply(
    'ERR',
    `ERR CONFIG SET failed (possibly related to argument '${oneLine(arg)}') - ${reason}`,
  );
}

/**
 * CONFIG GET pattern [pattern ...]: exact names are echoed as typed (Redis does the same),
 * globs match case-insensitively; each option appears once.
 */
function configGet(ctx: CommandContext, argv: Buffer[]): Reply {
  const config = ctx.server.config;
  const seen = new Set<string>();
  const out: Array<[Reply, Reply]> = [];
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i].toString('utf8');
    if (!GLOB_CHARS.test(pattern)) {
      const spec = OPTION_BY_NAME.get(pattern.toLowerCase());
      if (spec === undefined || seen.has(spec.name)) continue;
      seen.add(spec.name);
      out.push([bulk(pattern), bulk(config.get(spec.name as Parameters<typeof config.get>[0]))]);
      continue;
    }
    for (const [name, value] of config.match(pattern)) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push([bulk(name), bulk(value)]);
    }
  }
  return new MapReply(out);
}

/** The value check Redis runs for one option type; null when the value is acceptable. */
function checkValue(spec: OptionSpec, raw: string): string | null {
  if (spec.type === 'bytes' && !MEMORY_VALUE.test(raw)) return 'argument must be a memory value';
  const r = normalise(spec, raw);
  return 'error' in r ? r.error : null;
}

function configSet(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  if ((argv.length - 2) % 2 !== 0) return Errors.syntax;
  const pairs: Array<{ spec: OptionSpec; typed: string; value: string; noop: boolean }> = [];
  let unknown: string | null = null;
  let failure: ErrorReply | null = null;
  // First pass, in Redis's priority: an unknown name wins over everything else, then the first
  // immutable or duplicate option.
  for (let i = 2; i < argv.length; i += 2) {
    const typed = argv[i].toString('utf8');
    const spec = OPTION_BY_NAME.get(typed.toLowerCase());
    if (spec === undefined) {
      unknown ??= typed;
      continue;
    }
    if (failure !== null || unknown !== null) continue;
    const value = argv[i + 1].toString('utf8');
    const config = ctx.server.config;
    const noop = isUnchangedImmutable(spec, value, config.get(spec.name as Parameters<typeof config.get>[0]));
    if (!spec.mutable && !noop && !isRebindable(spec))
      failure = setFailed(typed, "can't set immutable config");
    else if (pairs.some((p) => p.spec === spec)) failure = setFailed(typed, 'duplicate parameter');
    else pairs.push({ spec, typed, value, noop });
  }
  if (unknown !== null) {
    return new ErrorReply(
      'ERR',
      `ERR Unknown option or number of arguments for CONFIG SET - '${oneLine(unknown)}'`,
    );
  }
  if (failure !== null) return failure;
  // Second pass: values. The error names the option canonically, as Redis does here.
  for (const p of pairs) {
    const err = checkValue(p.spec, p.value);
    if (err !== null) return setFailed(p.spec.name, err);
  }
  const config = ctx.server.config;
  const old = pairs.map((p) => config.get(p.spec.name as Parameters<typeof config.get>[0]));
  const rollback = (upTo: number) => {
    for (let j = 0; j < upTo; j++)
      if (!pairs[j].noop) config.apply(pairs[j].spec.name, old[j], !isRebindable(pairs[j].spec));
  };
  let rebind: string | null = null;
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i].noop) continue;
    const moves = isRebindable(pairs[i].spec);
    const err = config.apply(pairs[i].spec.name, pairs[i].value, !moves);
    if (err !== null) {
      rollback(i);
      return setFailed(pairs[i].spec.name, err);
    }
    if (moves && rebind !== 'bind') rebind = pairs[i].spec.name;
  }
  const move = ctx.server.rebindResp;
  if (rebind === null || move === null) return OK;
  // The listeners move last; when they cannot, every value goes back (Redis's apply phase).
  return move(config.get('bind'), config.int('port')).then(
    () => OK,
    () => {
      rollback(pairs.length);
      return setFailed(
        rebind!,
        rebind === 'bind'
          ? 'Failed to bind to specified addresses.'
          : 'Unable to listen on this port. Check server logs.',
      );
    },
  );
}

function configResetStat(ctx: CommandContext): Reply {
  ctx.server.stats.reset();
  return OK;
}

const HELP_LINES = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

function configHelp(_ctx: CommandContext, argv: Buffer[]): Reply {
  return helpReply(argv[0], HELP_LINES);
}

const SRV = { group: 'server' } as const;
const ADMIN: CommandFlag[] = ['admin', 'no-script', 'loading', 'stale'];

export const configCommand: CommandSpec = command({
  ...SRV,
  name: 'config',
  arity: -2,
  summary: 'A container for server configuration commands.',
  since: '2.0.0',
  complexity: 'Depends on subcommand.',
  subcommands: [
    command({
      ...SRV,
      name: 'get',
      arity: -3,
      flags: ADMIN,
      summary: 'Returns the effective values of configuration parameters.',
      since: '2.0.0',
      complexity: 'O(N) when N is the number of configuration parameters provided',
      syntax: 'parameter [parameter ...]',
      handler: configGet,
    }),
    command({
      ...SRV,
      name: 'set',
      arity: -4,
      flags: ADMIN,
      summary: 'Sets configuration parameters in-flight.',
      since: '2.0.0',
      complexity: 'O(N) when N is the number of configuration parameters provided',
      syntax: 'parameter value [parameter value ...]',
      handler: configSet,
    }),
    command({
      ...SRV,
      name: 'rewrite',
      arity: 2,
      flags: ADMIN,
      summary: 'Persists the effective configuration to file.',
      since: '2.8.0',
      complexity: 'O(1)',
      syntax: '',
      handler: configRewrite,
    }),
    command({
      ...SRV,
      name: 'resetstat',
      arity: 2,
      flags: ADMIN,
      summary: "Resets the server's statistics.",
      since: '2.0.0',
      complexity: 'O(1)',
      syntax: '',
      handler: configResetStat,
    }),
    command({
      ...SRV,
      name: 'help',
      arity: 2,
      flags: ['loading', 'stale'],
      summary: 'Returns helpful text about the different subcommands.',
      since: '5.0.0',
      complexity: 'O(1)',
      syntax: '',
      handler: configHelp,
    }),
  ],
});
