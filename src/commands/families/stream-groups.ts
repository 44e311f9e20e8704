/**
 * Consumer groups: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP) and
 * XACK, as Redis 7.0's xgroupCommand and xackCommand. The pending-entries commands (XPENDING,
 * XCLAIM, XAUTOCLAIM) are in stream-pending.ts and join the table here.
 *
 * Changes to a group wake no blocked reader (Redis does not signal them), except DESTROY,
 * which ends the XREADGROUP waiters of that group with an error.
 */
import { str } from '../../engine/values/collection.js';
import { StreamValue } from '../../engine/values/stream.js';
import { type ConsumerGroup, INVALID_ENTRIES_READ } from '../../engine/values/stream-groups.js';
import { type StreamID, ZERO_ID } from '../../engine/values/stream-id.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { unchanged } from '../replication/rewrites.js';
import { OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify, notifyNew, willCreate } from './keyspace-events.js';
import { optIs } from './lookup.js';
import { helpReply } from './redis-compat.js';
import { cText, looseId, strictId } from './stream-args.js';
import { streamPendingCommands } from './stream-pending.js';
import { beginChange, endChange, lookupWriteTyped, storeNew } from './typed.js';

const HELP_LINES = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

const keyRequired = new ErrorReply(
  'ERR',
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
);
const busyGroup = new ErrorReply('ERR', 'BUSYGROUP Consumer Group name already exists');
const badEntriesRead = new ErrorReply('ERR', 'ERR value for ENTRIESREAD must be positive or -1');

/** addReplySubcommandSyntaxError: the subcommand as typed, the container upper-cased. */
function subcommandSyntax(argv: Buffer[]): ErrorReply {
  return new ErrorReply(
    'ERR',
    `ERR unknown subcommand or wrong number of arguments for '${cText(argv[1])}'. Try ${argv[0].toString('latin1').toUpperCase()} HELP.`,
  );
}

function noSuchGroup(group: Buffer, key: Buffer): ErrorReply {
  return new ErrorReply(
    'ERR',
    `NOGROUP No such consumer group '${cText(group)}' for key name '${cText(key)}'`,
  );
}

/** ENTRIESREAD's value: a non-negative int64 or -1. */
function entriesReadArg(arg: Buffer): bigint | ErrorReply {
  const n = parseInt64(arg);
  if (n === null) return Errors.notInteger;
  if (n < 0n && n !== INVALID_ENTRIES_READ) return badEntriesRead;
  return n;
}

/** `$` (the stream's last ID, 0-0 for a stream yet to be made), else an ID. */
function groupId(arg: Buffer, s: StreamValue | null, strict: boolean): StreamID | ErrorReply {
  if (arg.length === 1 && arg[0] === 0x24) return s?.lastId ?? ZERO_ID;
  return strict ? strictId(arg) : looseId(arg, 0n);
}

interface Target {
  key: Buffer;
  s: StreamValue | null;
  g: ConsumerGroup | null;
  entriesRead: bigint;
}

/**
 * What every subcommand but HELP checks first, in Redis's order: CREATE's and SETID's options,
 * the key (WRONGTYPE; it must exist unless MKSTREAM), the group for the subcommands that need
 * one.
 */
function target(ctx: CommandContext, argv: Buffer[], sub: string): Target | ErrorReply {
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  if (sub === 'create' && argv.length >= 5) {
    for (let i = 5; i < argv.length; ) {
      if (optIs(argv[i], 'mkstream')) {
        mkstream = true;
        i++;
      } else if (optIs(argv[i], 'entriesread') && i + 1 < argv.length) {
        const n = entriesReadArg(argv[i + 1]);
        if (n instanceof ErrorReply) return n;
        entriesRead = n;
        i += 2;
      } else return subcommandSyntax(argv);
    }
  } else if (sub === 'setid') {
    if (argv.length === 7) {
      if (!optIs(argv[5], 'entriesread')) return subcommandSyntax(argv);
      const n = entriesReadArg(argv[6]);
      if (n instanceof ErrorReply) return n;
      entriesRead = n;
    } else if (argv.length !== 5) return subcommandSyntax(argv);
  }
  const key = argv[2];
  const s = lookupWriteTyped(ctx, key, StreamValue);
  if (s instanceof ErrorReply) return s;
  let g: ConsumerGroup | null = null;
  if (!mkstream) {
    if (s === null) return keyRequired;
    g = s.groups.get(str(argv[3])) ?? null;
    if (g === null && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer'))
      return noSuchGroup(argv[3], key);
  }
  return { key, s, g, entriesRead };
}

function xgroup(ctx: CommandContext, argv: Buffer[], sub: string): Reply {
  const r = target(ctx, argv, sub);
  if (r instanceof ErrorReply) return r;
  const { key, s, g } = r;
  const name = str(argv[3]);
  const bk = ctx.server.blockedKeys;
  switch (sub) {
    case 'create': {
      if (argv.length > 8) return subcommandSyntax(argv);
      const id = groupId(argv[4], s, true);
      if (id instanceof ErrorReply) return id;
      if (s === null) {
        const announce = willCreate(ctx, key);
        const made = new StreamValue();
        made.createGroup(name, id, r.entriesRead);
        storeNew(ctx, key, made);
        if (announce) notifyNew(ctx, key);
        notify(ctx, 't', 'xgroup-create', key);
        return OK;
      }
      if (s.groups.has(name)) return busyGroup;
      bk.quietly(() => {
        beginChange(ctx, key);
        s.createGroup(name, id, r.entriesRead);
        endChange(ctx, key);
      });
      notify(ctx, 't', 'xgroup-create', key);
      return OK;
    }
    case 'setid': {
      const id = groupId(argv[4], s, false);
      if (id instanceof ErrorReply) return id;
      const group = g as ConsumerGroup;
      bk.quietly(() => {
        beginChange(ctx, key);
        group.lastId = id;
        group.entriesRead = r.entriesRead;
        endChange(ctx, key);
      });
      notify(ctx, 't', 'xgroup-setid', key);
      return OK;
    }
    case 'destroy': {
      if (argv.length !== 4) return subcommandSyntax(argv);
      if (g === null || s === null) return 0;
      // Not quietly: blocked XREADGROUPs of the group end with NOGROUP.
      beginChange(ctx, key);
      s.groups.delete(name);
      endChange(ctx, key);
      notify(ctx, 't', 'xgroup-destroy', key);
      return 1;
    }
    case 'createconsumer': {
      if (argv.length !== 5) return subcommandSyntax(argv);
      const group = g as ConsumerGroup;
      const consumer = str(argv[4]);
      if (group.consumer(consumer) !== undefined) return 0;
      bk.quietly(() => {
        beginChange(ctx, key);
        group.createConsumer(consumer, ctx.server.clock.now());
        endChange(ctx, key);
      });
      notify(ctx, 't', 'xgroup-createconsumer', key);
      return 1;
    }
    case 'delconsumer': {
      if (argv.length !== 5) return subcommandSyntax(argv);
      const group = g as ConsumerGroup;
      const c = group.consumer(str(argv[4]));
      if (c === undefined) return 0;
      const pending = bk.quietly(() => {
        beginChange(ctx, key);
        const n = group.deleteConsumer(c);
        endChange(ctx, key);
        return n;
      });
      notify(ctx, 't', 'xgroup-delconsumer', key);
      return pending;
    }
  }
  return subcommandSyntax(argv);
}

/** XACK key group id [id ...] */
function xack(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, StreamValue);
  if (s instanceof ErrorReply) return s;
  const g = s?.groups.get(str(argv[2]));
  if (s === null || g === undefined) return 0;
  const ids: StreamID[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = strictId(argv[j]);
    if (id instanceof ErrorReply) return id;
    ids.push(id);
  }
  return ctx.server.blockedKeys.quietly(() => {
    beginChange(ctx, key);
    let acked = 0;
    for (const id of ids) if (g.ack(id)) acked++;
    endChange(ctx, key);
    if (acked === 0) unchanged(ctx);
    return acked;
  });
}

const SUB = { group: 'stream', firstKey: 2, lastKey: 2, step: 1 } as const;

export const streamGroupCommands: readonly CommandSpec[] = [
  command({
    name: 'xgroup',
    arity: -2,
    group: 'stream',
    summary: 'A container for consumer groups commands',
    since: '5.0.0',
    complexity: 'Depends on subcommand.',
    syntax: '',
    subcommands: [
      command({
        ...SUB,
        name: 'create',
        arity: -5,
        flags: ['write', 'denyoom'],
        summary: 'Create a consumer group.',
        since: '5.0.0',
        complexity: 'O(1)',
        syntax: 'key groupname <id | $> [MKSTREAM] [ENTRIESREAD entries_read]',
        handler: (ctx, argv) => xgroup(ctx, argv, 'create'),
      }),
      command({
        ...SUB,
        name: 'setid',
        arity: -5,
        flags: ['write'],
        summary: 'Set a consumer group to an arbitrary last delivered ID value.',
        since: '5.0.0',
        complexity: 'O(1)',
        syntax: 'key groupname <id | $> [ENTRIESREAD entries_read]',
        handler: (ctx, argv) => xgroup(ctx, argv, 'setid'),
      }),
      command({
        ...SUB,
        name: 'destroy',
        arity: 4,
        flags: ['write'],
        summary: 'Destroy a consumer group.',
        since: '5.0.0',
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        syntax: 'key groupname',
        handler: (ctx, argv) => xgroup(ctx, argv, 'destroy'),
      }),
      command({
        ...SUB,
        name: 'createconsumer',
        arity: 5,
        flags: ['write', 'denyoom'],
        summary: 'Create a consumer in a consumer group.',
        since: '6.2.0',
        complexity: 'O(1)',
        syntax: 'key groupname consumername',
        handler: (ctx, argv) => xgroup(ctx, argv, 'createconsumer'),
      }),
      command({
        ...SUB,
        name: 'delconsumer',
        arity: 5,
        flags: ['write'],
        summary: 'Delete a consumer from a consumer group.',
        since: '5.0.0',
        complexity: 'O(1)',
        syntax: 'key groupname consumername',
        handler: (ctx, argv) => xgroup(ctx, argv, 'delconsumer'),
      }),
      command({
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        group: 'stream',
        summary: 'Show helpful text about the different subcommands',
        since: '5.0.0',
        complexity: 'O(1)',
        syntax: '',
        handler: (_ctx, argv) => helpReply(argv[0], HELP_LINES),
      }),
    ],
  }),
  command({
    group: 'stream',
    firstKey: 1,
    lastKey: 1,
    step: 1,
    name: 'xack',
    arity: -4,
    flags: ['write', 'fast'],
    summary:
      'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.',
    since: '5.0.0',
    complexity: 'O(1) for each message ID processed.',
    syntax: 'key group id [id ...]',
    handler: xack,
  }),
  ...streamPendingCommands,
];
