/**
 * COMMAND and its subcommands, answered from the command table itself (`server.commands`), so
 * what clients discover (redis-cli hints, cluster-aware key extraction) is what Cairn runs.
 */
import { Errors } from '../../errors.js';
import { globMatch } from '../../util/glob.js';
import { argIs, argLower } from '../args.js';
import type { CommandContext } from '../context.js';
import { bulk, MapReply, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import {
  aclCategories,
  allCommands,
  commandDocsEntry,
  commandInfoEntry,
  lookupByFullName,
} from './command-docs.js';
import { commandGetKeys, commandGetKeysAndFlags } from './command-keys.js';
import { helpReply } from './redis-compat.js';

function allInfo(ctx: CommandContext): Reply {
  const out: Reply[] = [];
  for (const spec of ctx.server.commands.values()) out.push(commandInfoEntry(spec, spec.name));
  return out;
}

/** COMMAND INFO [name ...]: null for unknown names, in the order asked. */
function commandInfo(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 2) return allInfo(ctx);
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const found = lookupByFullName(ctx.server.commands, argv[i].toString('utf8'));
    out.push(found === null ? null : commandInfoEntry(found.spec, found.fullName));
  }
  return out;
}

/** COMMAND DOCS [name ...]: a map; unknown names are left out. */
function commandDocs(ctx: CommandContext, argv: Buffer[]): Reply {
  const entries: Array<[Reply, Reply]> = [];
  if (argv.length === 2) {
    for (const spec of ctx.server.commands.values())
      entries.push([bulk(spec.name), commandDocsEntry(spec, spec.name)]);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const found = lookupByFullName(ctx.server.commands, argv[i].toString('utf8'));
      if (found !== null) entries.push([bulk(found.fullName), commandDocsEntry(found.spec, found.fullName)]);
    }
  }
  return new MapReply(entries);
}

function commandCount(ctx: CommandContext): Reply {
  return ctx.server.commands.size;
}

type ListFilter = (spec: CommandSpec, fullName: string) => boolean;

/** COMMAND LIST [FILTERBY <MODULE name | ACLCAT category | PATTERN pattern>] */
function commandList(ctx: CommandContext, argv: Buffer[]): Reply {
  let filter: ListFilter = () => true;
  for (let i = 2; i < argv.length; i += 3) {
    if (!argIs(argv[i], 'filterby') || argv.length - 1 - i !== 2) return Errors.syntax;
    const kind = argLower(argv[i + 1]);
    const arg = argv[i + 2];
    if (kind === 'module') {
      filter = () => false; // Cairn has no modules.
    } else if (kind === 'aclcat') {
      const cat = `@${argLower(arg)}`;
      filter = (spec) => aclCategories(spec).includes(cat);
    } else if (kind === 'pattern') {
      filter = (_spec, fullName) => globMatch(arg, Buffer.from(fullName), true);
    } else {
      return Errors.syntax;
    }
  }
  const out: Reply[] = [];
  for (const { spec, fullName } of allCommands(ctx.server.commands))
    if (filter(spec, fullName)) out.push(bulk(fullName));
  return out;
}

const HELP_LINES = [
  '(no subcommand)',
  '    Return details about all Cairn commands.',
  'COUNT',
  '    Return the total number of commands in this Cairn server.',
  'LIST',
  '    Return a list of all commands in this Cairn server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Cairn commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Cairn commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Cairn command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Cairn command.',
];

function commandHelp(_ctx: CommandContext, argv: Buffer[]): Reply {
  return helpReply(argv[0], HELP_LINES);
}

/** Redis files COMMAND under `server` but declares it @connection. */
const SRV = { group: 'server', categories: ['connection'] } as const;
const FLAGS = ['loading', 'stale'] as const;

export const commandCommand: CommandSpec = command({
  ...SRV,
  name: 'command',
  arity: -1,
  flags: [...FLAGS],
  summary: 'Returns detailed information about all commands.',
  since: '2.8.13',
  complexity: 'O(N) where N is the total number of Cairn commands',
  syntax: '',
  // The bare form (COMMAND with no subcommand) lists every command.
  handler: allInfo,
  subcommands: [
    command({
      ...SRV,
      name: 'count',
      arity: 2,
      flags: [...FLAGS],
      summary: 'Returns a count of commands.',
      since: '2.8.13',
      complexity: 'O(1)',
      syntax: '',
      handler: commandCount,
    }),
    command({
      ...SRV,
      name: 'info',
      arity: -2,
      flags: [...FLAGS],
      summary: 'Returns information about one, multiple or all commands.',
      since: '2.8.13',
      complexity: 'O(N) where N is the number of commands to look up',
      syntax: '[command-name [command-name ...]]',
      handler: commandInfo,
    }),
    command({
      ...SRV,
      name: 'docs',
      arity: -2,
      flags: [...FLAGS],
      summary: 'Returns documentary information about one, multiple or all commands.',
      since: '7.0.0',
      complexity: 'O(N) where N is the number of commands to look up',
      syntax: '[command-name [command-name ...]]',
      handler: commandDocs,
    }),
    command({
      ...SRV,
      name: 'list',
      arity: -2,
      flags: [...FLAGS],
      summary: 'Returns a list of command names.',
      since: '7.0.0',
      complexity: 'O(N) where N is the total number of Cairn commands',
      syntax: '[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]',
      handler: commandList,
    }),
    command({
      ...SRV,
      name: 'getkeys',
      arity: -4,
      flags: [...FLAGS],
      summary: 'Extracts the key names from an arbitrary command.',
      since: '2.8.13',
      complexity: 'O(N) where N is the number of arguments to the command',
      syntax: 'command arg [arg ...]',
      handler: commandGetKeys,
    }),
    command({
      ...SRV,
      name: 'getkeysandflags',
      arity: -4,
      flags: [...FLAGS],
      summary: 'Extracts the key names and access flags for an arbitrary command.',
      since: '7.0.0',
      complexity: 'O(N) where N is the number of arguments to the command',
      syntax: 'command arg [arg ...]',
      handler: commandGetKeysAndFlags,
    }),
    command({
      ...SRV,
      name: 'help',
      arity: 2,
      flags: [...FLAGS],
      summary: 'Returns helpful text about the different subcommands.',
      since: '5.0.0',
      complexity: 'O(1)',
      syntax: '',
      handler: commandHelp,
    }),
  ],
});
