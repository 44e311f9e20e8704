/**
 * XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP, in Redis 7.0's
 * shapes: maps (RESP3; flat key/value arrays in RESP2) with the fields in Redis's order.
 * Consumers report `seen-time` and `idle` (7.0 has no `active-time`/`inactive`).
 */
import { bytes, str } from '../../engine/values/collection.js';
import { StreamValue } from '../../engine/values/stream.js';
import { type ConsumerGroup, INVALID_ENTRIES_READ } from '../../engine/values/stream-groups.js';
import { MAX_ID, ZERO_ID } from '../../engine/values/stream-id.js';
import { ErrorReply, Errors } from '../../errors.js';
import { intReply, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { bulk, MapReply, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { optIs } from './lookup.js';
import { helpReply } from './redis-compat.js';
import { cText, entriesReply, entryReply, idReply } from './stream-args.js';
import { lookupReadTyped } from './typed.js';

const HELP_LINES = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

/** Entries and PEL items XINFO STREAM FULL lists without COUNT. */
const FULL_DEFAULT_COUNT = 10n;

function map(pairs: Array<[string, Reply]>): MapReply {
  return new MapReply(pairs.map(([k, v]) => [bulk(k), v]));
}

function lookup(ctx: CommandContext, key: Buffer): StreamValue | ErrorReply {
  const s = lookupReadTyped(ctx, key, StreamValue);
  return s === null ? Errors.noSuchKey : s;
}

function entriesRead(g: ConsumerGroup): Reply {
  return g.entriesRead === INVALID_ENTRIES_READ ? null : intReply(g.entriesRead);
}

function lag(s: StreamValue, g: ConsumerGroup): Reply {
  const l = s.lag(g);
  return l === null ? null : intReply(l);
}

function head(s: StreamValue): Array<[string, Reply]> {
  return [
    ['length', s.length],
    ['radix-tree-keys', s.nodes.length],
    ['radix-tree-nodes', s.raxNodes()],
    ['last-generated-id', idReply(s.lastId)],
    ['max-deleted-entry-id', idReply(s.maxDeletedId)],
    ['entries-added', intReply(BigInt.asIntN(64, s.entriesAdded))],
    ['recorded-first-entry-id', idReply(s.firstId)],
  ];
}

function streamInfo(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookup(ctx, argv[2]);
  if (s instanceof ErrorReply) return s;
  let full = false;
  let count = FULL_DEFAULT_COUNT;
  if (argv.length > 3) {
    const ok =
      optIs(argv[3], 'full') && (argv.length === 4 || (argv.length === 6 && optIs(argv[4], 'count')));
    if (!ok) return syntaxError(argv);
    full = true;
    if (argv.length === 6) {
      const n = parseInt64(argv[5]);
      if (n === null) return Errors.notInteger;
      count = n < 0n ? FULL_DEFAULT_COUNT : n;
    }
  }
  if (!full) {
    const first = s.range(ZERO_ID, MAX_ID, false, 1)[0];
    const last = s.range(ZERO_ID, MAX_ID, true, 1)[0];
    return map([
      ...head(s),
      ['groups', s.groups.size],
      ['first-entry', first === undefined ? null : entryReply(first)],
      ['last-entry', last === undefined ? null : entryReply(last)],
    ]);
  }
  const n = Number(count);
  const groups = s.sortedGroups().map((g) => {
    const pending: Reply[] = [];
    for (const nack of g.pendingFrom()) {
      if (n !== 0 && pending.length >= n) break;
      pending.push([
        idReply(nack.id),
        bytes(nack.consumer?.name ?? ''),
        nack.deliveryTime,
        intReply(nack.deliveryCount),
      ]);
    }
    const consumers = g.sortedConsumers().map((c) => {
      const cp: Reply[] = [];
      for (const nack of g.consumerPendingFrom(c)) {
        if (n !== 0 && cp.length >= n) break;
        cp.push([idReply(nack.id), nack.deliveryTime, intReply(nack.deliveryCount)]);
      }
      return map([
        ['name', bytes(c.name)],
        ['seen-time', c.seenTime],
        ['pel-count', c.pel.size],
        ['pending', cp],
      ]);
    });
    return map([
      ['name', bytes(g.name)],
      ['last-delivered-id', idReply(g.lastId)],
      ['entries-read', entriesRead(g)],
      ['lag', lag(s, g)],
      ['pel-count', g.pel.size],
      ['pending', pending],
      ['consumers', consumers],
    ]);
  });
  return map([...head(s), ['entries', entriesReply(s.range(ZERO_ID, MAX_ID, false, n))], ['groups', groups]]);
}

function syntaxError(argv: Buffer[]): ErrorReply {
  return new ErrorReply(
    'ERR',
    `ERR unknown subcommand or wrong number of arguments for '${cText(argv[1])}'. Try XINFO HELP.`,
  );
}

function groupsInfo(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookup(ctx, argv[2]);
  if (s instanceof ErrorReply) return s;
  return s.sortedGroups().map((g) =>
    map([
      ['name', bytes(g.name)],
      ['consumers', g.consumers.size],
      ['pending', g.pel.size],
      ['last-delivered-id', idReply(g.lastId)],
      ['entries-read', entriesRead(g)],
      ['lag', lag(s, g)],
    ]),
  );
}

function consumersInfo(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookup(ctx, argv[2]);
  if (s instanceof ErrorReply) return s;
  const g = s.groups.get(str(argv[3]));
  if (g === undefined)
    return new ErrorReply(
      'ERR',
      `NOGROUP No such consumer group '${cText(argv[3])}' for key name '${cText(argv[2])}'`,
    );
  const now = ctx.server.clock.now();
  return g.sortedConsumers().map((c) =>
    map([
      ['name', bytes(c.name)],
      ['pending', c.pel.size],
      ['idle', Math.max(0, now - c.seenTime)],
    ]),
  );
}

const SUB = { group: 'stream', firstKey: 2, lastKey: 2, step: 1, flags: ['readonly'] } as const;

export const streamInfoCommands: readonly CommandSpec[] = [
  command({
    name: 'xinfo',
    arity: -2,
    group: 'stream',
    summary: 'A container for stream introspection commands',
    since: '5.0.0',
    complexity: 'Depends on subcommand.',
    syntax: '',
    subcommands: [
      command({
        ...SUB,
        name: 'consumers',
        arity: 4,
        summary: 'List the consumers in a consumer group',
        since: '5.0.0',
        complexity: 'O(1)',
        syntax: 'key groupname',
        handler: consumersInfo,
      }),
      command({
        ...SUB,
        name: 'groups',
        arity: 3,
        summary: 'List the consumer groups of a stream',
        since: '5.0.0',
        complexity: 'O(1)',
        syntax: 'key',
        handler: groupsInfo,
      }),
      command({
        ...SUB,
        name: 'stream',
        arity: -3,
        summary: 'Get information about a stream',
        since: '5.0.0',
        complexity: 'O(1)',
        syntax: 'key [FULL [COUNT count]]',
        handler: streamInfo,
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
];
