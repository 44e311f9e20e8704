/**
 * COMMAND GETKEYS and GETKEYSANDFLAGS, and the key specs COMMAND INFO shows, from Redis 7.0's
 * key specs (redis-key-specs.ts). As in Redis's getKeysFromCommandWithSpecs, the specs answer
 * when they can (every begin-search and find-keys known, a valid numkeys); otherwise the
 * command's own key finder does (Cairn's `keyIndexes`), with the flags Redis's getkeys
 * procedures give (SET with or without GET, SORT's STORE, a read-only BITFIELD, ...).
 */
import { ErrorReply } from '../../errors.js';
import { argLower } from '../args.js';
import type { CommandContext } from '../context.js';
import { REDIS_KEY_SPECS, type RedisKeySpec } from '../redis-key-specs.js';
import { bulk, MapReply, type Reply, SetReply, SimpleReply } from '../reply.js';
import { type CommandSpec, keyIndexes } from '../spec.js';

const invalidCommand = new ErrorReply('ERR', 'ERR Invalid command specified');
const noKeyArguments = new ErrorReply('ERR', 'ERR The command has no key arguments');
const invalidArgCount = new ErrorReply('ERR', 'ERR Invalid number of arguments specified for command');
const invalidArgs = new ErrorReply('ERR', 'ERR Invalid arguments specified for command');

/** Redis's order and spelling of key-spec flags in replies (addReplyFlagsForKeyArgs). */
const FLAG_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['ro', 'RO'],
  ['rw', 'RW'],
  ['ow', 'OW'],
  ['rm', 'RM'],
  ['access', 'access'],
  ['update', 'update'],
  ['insert', 'insert'],
  ['delete', 'delete'],
  ['not_key', 'not_key'],
  ['incomplete', 'incomplete'],
  ['variable_flags', 'variable_flags'],
];

/** Commands whose keys may all be absent (Redis's CMD_NO_MANDATORY_KEYS): GETKEYS answers []. */
const NO_MANDATORY_KEYS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

const RO_ACCESS = ['ro', 'access'];
const RW_ACCESS_UPDATE = ['rw', 'access', 'update'];
const OW_UPDATE = ['ow', 'update'];

type KeyRef = readonly [index: number, flags: readonly string[]];

function flagSet(flags: readonly string[]): SetReply {
  return new SetReply(FLAG_NAMES.filter(([f]) => flags.includes(f)).map(([, n]) => new SimpleReply(n)));
}

/**
 * Redis's getKeysUsingKeySpecs: every key with its spec's flags, or null when a spec cannot be
 * followed (unknown, incomplete, a numkeys that is not a count, positions past the arguments).
 */
function keysBySpecs(specs: readonly RedisKeySpec[], argv: readonly Buffer[]): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const s of specs) {
    if (s.flags.includes('not_key')) continue;
    if (s.begin === null || s.find === null) return null;
    let first = 0;
    if (typeof s.begin === 'number') {
      first = s.begin;
    } else {
      const [word, from] = s.begin;
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toString('latin1').toLowerCase() === word.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    }
    const [kind, a, b, c] = s.find;
    let last: number;
    let step: number;
    if (kind === 'range') {
      step = b;
      if (a >= 0) last = first + a;
      else if (c === 0) last = argc + a;
      else last = first + (Math.floor((argc - first) / c) + a);
    } else {
      step = c;
      if (a >= argc || first + a >= argc) return null;
      const text = argv[first + a].toString('latin1');
      const n = /^(0|-?[1-9]\d*)$/.test(text) ? Number(text) : -1;
      if (n < 0) return null;
      first += b;
      last = first + n - 1;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push([i, s.flags]);
    if (s.flags.includes('incomplete')) return null;
  }
  return out;
}

/** BITFIELD is read-only when it only has GET (and OVERFLOW) operations (bitfieldGetKeys). */
function bitfieldFlags(argv: readonly Buffer[]): readonly string[] {
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    const op = argLower(argv[i]);
    if (op === 'get' && rem >= 2) i += 2;
    else if (op === 'overflow' && rem >= 1) i += 1;
    else return RW_ACCESS_UPDATE;
  }
  return RO_ACCESS;
}

/** The flags Redis's getkeys procedures give the n-th key found (when the specs cannot). */
function procFlags(fullName: string, argv: readonly Buffer[], n: number): readonly string[] {
  switch (fullName) {
    case 'sort':
      return n === 0 ? RO_ACCESS : OW_UPDATE;
    case 'sort_ro':
      return RO_ACCESS;
    case 'set':
      for (let i = 3; i < argv.length; i++) if (argLower(argv[i]) === 'get') return RW_ACCESS_UPDATE;
      return OW_UPDATE;
    case 'bitfield':
      return bitfieldFlags(argv);
    case 'migrate':
      return ['rw', 'access', 'delete'];
    default:
      return [];
  }
}

/** Keys of a full command line (argv[0] is the command) and how the command uses each. */
export function keysAndFlags(fullName: string, spec: CommandSpec, argv: readonly Buffer[]): KeyRef[] {
  const specs = REDIS_KEY_SPECS[fullName];
  if (
    specs?.some((s) => !s.flags.includes('not_key')) &&
    !specs.some((s) => s.flags.includes('variable_flags'))
  ) {
    const found = keysBySpecs(specs, argv);
    if (found !== null) return found;
  }
  return keyIndexes(spec, argv).map((i, n) => [i, procFlags(fullName, argv, n)] as const);
}

function getKeys(ctx: CommandContext, argv: Buffer[], withFlags: boolean): Reply {
  const target = argv.slice(2);
  const base = ctx.server.commands.get(argLower(target[0]));
  if (base === undefined) return invalidCommand;
  let spec = base;
  let fullName = base.name;
  if (base.subcommands !== undefined && target.length >= 2) {
    const subName = argLower(target[1]);
    const sub = base.subcommands.find((s) => s.name === subName);
    if (sub === undefined) return invalidCommand;
    spec = sub;
    fullName = `${base.name}|${sub.name}`;
  }
  const specs = REDIS_KEY_SPECS[fullName];
  const hasKeys =
    spec.getKeys !== undefined ||
    (specs?.some((s) => !s.flags.includes('not_key')) ??
      ((spec.firstKey > 0 || spec.keySpecs !== undefined) &&
        !spec.keySpecs?.every((k) => k.flags?.includes('not_key'))));
  if (!hasKeys) return noKeyArguments;
  if ((spec.arity > 0 && spec.arity !== target.length) || target.length < -spec.arity) return invalidArgCount;
  const keys = keysAndFlags(fullName, spec, target);
  if (keys.length === 0) return NO_MANDATORY_KEYS.has(fullName) ? [] : invalidArgs;
  return keys.map(([i, flags]) =>
    withFlags ? [Buffer.from(target[i]), flagSet(flags)] : Buffer.from(target[i]),
  );
}

/** COMMAND GETKEYS command [arg ...] */
export function commandGetKeys(ctx: CommandContext, argv: Buffer[]): Reply {
  return getKeys(ctx, argv, false);
}

/** COMMAND GETKEYSANDFLAGS command [arg ...] */
export function commandGetKeysAndFlags(ctx: CommandContext, argv: Buffer[]): Reply {
  return getKeys(ctx, argv, true);
}

function searchReply(type: string, spec: Array<[Reply, Reply]>): MapReply {
  return new MapReply([
    [bulk('type'), bulk(type)],
    [bulk('spec'), new MapReply(spec)],
  ]);
}

/** COMMAND INFO's key-specs element for a command (an empty set when it has no keys). */
export function keySpecsReply(fullName: string): SetReply {
  const specs = REDIS_KEY_SPECS[fullName] ?? [];
  return new SetReply(
    specs.map((s) => {
      const entries: Array<[Reply, Reply]> = [];
      if (s.notes !== undefined) entries.push([bulk('notes'), bulk(s.notes)]);
      entries.push([bulk('flags'), flagSet(s.flags)]);
      const b = s.begin;
      entries.push([
        bulk('begin_search'),
        b === null
          ? searchReply('unknown', [])
          : typeof b === 'number'
            ? searchReply('index', [[bulk('index'), b]])
            : searchReply('keyword', [
                [bulk('keyword'), bulk(b[0])],
                [bulk('startfrom'), b[1]],
              ]),
      ]);
      const f = s.find;
      entries.push([
        bulk('find_keys'),
        f === null
          ? searchReply('unknown', [])
          : f[0] === 'range'
            ? searchReply('range', [
                [bulk('lastkey'), f[1]],
                [bulk('keystep'), f[2]],
                [bulk('limit'), f[3]],
              ])
            : searchReply('keynum', [
                [bulk('keynumidx'), f[1]],
                [bulk('firstkey'), f[2]],
                [bulk('keystep'), f[3]],
              ]),
      ]);
      return new MapReply(entries);
    }),
  );
}
