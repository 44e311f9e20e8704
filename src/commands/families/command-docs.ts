/**
 * COMMAND INFO and COMMAND DOCS entries, generated from the command table (never written by
 * hand), in Redis 7's shapes:
 *   INFO: [name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands]
 *   DOCS: name -> {summary, since, group, complexity, arguments, subcommands}
 * ACL categories are derived the way Redis derives its implicit ones (setImplicitACLCategories)
 * from the flags, plus the category of the command's group.
 */
import { bulk, MapReply, type Reply, SetReply, SimpleReply } from '../reply.js';
import type { CommandFlag, CommandGroup, CommandSpec } from '../spec.js';
import { keySpecsReply } from './command-keys.js';
import { type DocArg, parseSyntax } from './syntax-args.js';

/** Cairn flag -> Redis's name, in the order Redis prints them. Cairn-only flags are not shown. */
const REDIS_FLAG_ORDER: ReadonlyArray<readonly [CommandFlag, string]> = [
  ['write', 'write'],
  ['readonly', 'readonly'],
  ['denyoom', 'denyoom'],
  ['admin', 'admin'],
  ['pubsub', 'pubsub'],
  ['no-script', 'noscript'],
  ['blocking', 'blocking'],
  ['loading', 'loading'],
  ['stale', 'stale'],
  ['skip-slowlog', 'skip_slowlog'],
  ['fast', 'fast'],
  ['noauth', 'no_auth'],
  ['no-multi', 'no_multi'],
  ['allow-busy', 'allow_busy'],
];

/** Every ACL category Redis knows, in the order ACL CAT and COMMAND INFO list them. */
export const ACL_CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
] as const;
type Category = (typeof ACL_CATEGORIES)[number];

const GROUP_CATEGORY: Partial<Record<CommandGroup, Category>> = {
  string: 'string',
  hash: 'hash',
  list: 'list',
  set: 'set',
  'sorted-set': 'sortedset',
  geo: 'geo',
  stream: 'stream',
  bitmap: 'bitmap',
  hyperloglog: 'hyperloglog',
  connection: 'connection',
  transactions: 'transaction',
  scripting: 'scripting',
};

export function redisFlags(spec: CommandSpec): string[] {
  const out: string[] = [];
  for (const [flag, name] of REDIS_FLAG_ORDER) if (spec.flags.includes(flag)) out.push(name);
  // Keys found through a numkeys argument or a keyword move with the arguments.
  if (spec.getKeys !== undefined || spec.keySpecs?.some((k) => 'keynum' in k.find || 'keyword' in k.begin))
    out.push('movablekeys');
  return out;
}

/**
 * Implicit categories from flags (write, read, admin+dangerous, fast or else slow, blocking),
 * explicit `dangerous`, the group's category, and the spec's declared `categories`. Generic
 * commands are @keyspace when they touch data (SCAN, DEL); server commands declare it (DBSIZE,
 * FLUSHALL), as Redis's do. Containers carry only their own (empty) flags, so they are @slow,
 * as in Redis.
 */
export function aclCategories(spec: CommandSpec): string[] {
  const has = (f: CommandFlag) => spec.flags.includes(f);
  const cats = new Set<Category>();
  if (has('write')) cats.add('write');
  // Redis keeps scripting commands (EVAL_RO, FCALL_RO) out of @read.
  if (has('readonly') && spec.group !== 'scripting') cats.add('read');
  if (has('admin')) {
    cats.add('admin');
    cats.add('dangerous');
  }
  if (has('dangerous')) cats.add('dangerous');
  cats.add(has('fast') ? 'fast' : 'slow');
  if (has('blocking')) cats.add('blocking');
  if (spec.subcommands === undefined) {
    const g = GROUP_CATEGORY[spec.group];
    if (g !== undefined) cats.add(g);
    const touchesData = has('write') || has('readonly') || spec.firstKey > 0;
    if (spec.group === 'generic' && touchesData) cats.add('keyspace');
  }
  for (const c of spec.categories ?? []) cats.add(c as Category);
  for (const c of spec.notCategories ?? []) cats.delete(c as Category);
  return ACL_CATEGORIES.filter((c) => cats.has(c)).map((c) => `@${c}`);
}

function statusSet(items: readonly string[]): SetReply {
  return new SetReply(items.map((s) => new SimpleReply(s)));
}

/** One COMMAND INFO entry; `fullName` is `client|list` for a subcommand. */
export function commandInfoEntry(spec: CommandSpec, fullName: string): Reply {
  const subs = spec.subcommands ?? [];
  return [
    bulk(fullName),
    spec.arity,
    statusSet(redisFlags(spec)),
    spec.firstKey,
    spec.lastKey,
    spec.step,
    statusSet(aclCategories(spec)),
    new SetReply([]),
    keySpecsReply(fullName),
    new SetReply(subs.map((s) => commandInfoEntry(s, `${fullName}|${s.name}`))),
  ];
}

function docArgReply(a: DocArg): Reply {
  const entries: Array<[Reply, Reply]> = [
    [bulk('name'), bulk(a.name)],
    [bulk('type'), bulk(a.type)],
  ];
  if (a.token !== undefined) entries.push([bulk('token'), bulk(a.token)]);
  const flags: string[] = [];
  if (a.optional) flags.push('optional');
  if (a.multiple) flags.push('multiple');
  if (flags.length > 0) entries.push([bulk('flags'), statusSet(flags)]);
  if (a.arguments !== undefined) entries.push([bulk('arguments'), a.arguments.map(docArgReply)]);
  return new MapReply(entries);
}

/** One COMMAND DOCS value (the map for one command). */
export function commandDocsEntry(spec: CommandSpec, fullName: string): Reply {
  const entries: Array<[Reply, Reply]> = [
    [bulk('summary'), bulk(spec.summary)],
    [bulk('since'), bulk(spec.since)],
    [bulk('group'), bulk(spec.group)],
  ];
  if (spec.complexity !== undefined) entries.push([bulk('complexity'), bulk(spec.complexity)]);
  const args = spec.syntax === undefined ? [] : (parseSyntax(spec.syntax) ?? []);
  if (args.length > 0) entries.push([bulk('arguments'), args.map(docArgReply)]);
  if (spec.subcommands !== undefined) {
    const subs: Array<[Reply, Reply]> = spec.subcommands.map((s) => {
      const name = `${fullName}|${s.name}`;
      return [bulk(name), commandDocsEntry(s, name)];
    });
    entries.push([bulk('subcommands'), new MapReply(subs)]);
  }
  return new MapReply(entries);
}

/**
 * Find a command or `container|sub` by name, case-insensitively (Redis's lookupCommandBySds).
 * Returns the spec with its canonical full name.
 */
export function lookupByFullName(
  commands: ReadonlyMap<string, CommandSpec>,
  name: string,
): { spec: CommandSpec; fullName: string } | null {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return null;
  const base = commands.get(parts[0]);
  if (base === undefined) return null;
  if (parts.length === 1) return { spec: base, fullName: base.name };
  const sub = base.subcommands?.find((s) => s.name === parts[1]);
  return sub === undefined ? null : { spec: sub, fullName: `${base.name}|${sub.name}` };
}

/** Every command and subcommand, containers before their subcommands (COMMAND LIST order). */
export function* allCommands(
  commands: ReadonlyMap<string, CommandSpec>,
): Iterable<{ spec: CommandSpec; fullName: string }> {
  for (const spec of commands.values()) {
    yield { spec, fullName: spec.name };
    for (const sub of spec.subcommands ?? []) yield { spec: sub, fullName: `${spec.name}|${sub.name}` };
  }
}
