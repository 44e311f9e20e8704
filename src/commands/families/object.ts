/**
 * OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP. Cairn stores every value as bytes, so
 * the encoding and reference count are the ones Redis would give a value written by SET:
 * `int` for a strict int64 of at most 20 characters, `embstr` up to 44 bytes, `raw` beyond,
 * and Redis's shared-integer reference count for 0..9999; `raw` whatever the length for a
 * value last written in place by APPEND, SETRANGE, SETBIT or BITFIELD, as Redis. (Redis reports
 * `embstr` for an INCRBYFLOAT result even when it reads as an integer; Cairn says `int`.)
 */
import { isCollection } from '../../engine/values/collection.js';
import { ErrorReply } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { existsRead, peekRead } from './lookup.js';
import { helpReply } from './redis-compat.js';

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT, bytes. */
const EMBSTR_MAX_BYTES = 44;
/** Redis's OBJ_SHARED_INTEGERS: values 0..9999 share one object. */
const SHARED_INTEGERS = 10000n;
/** Refcount Redis reports for a shared object (OBJ_SHARED_REFCOUNT = INT_MAX). */
const SHARED_REFCOUNT = 2147483647;
const MS_PER_S = 1000;

const INT = Buffer.from('int');
const EMBSTR = Buffer.from('embstr');
const RAW = Buffer.from('raw');

const lfuSelected = new ErrorReply(
  'ERR',
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
);
const lfuNotSelected = new ErrorReply(
  'ERR',
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
);

const HELP_LINES = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

function policy(ctx: CommandContext): string {
  return ctx.server.config.get('maxmemory-policy');
}

function isLfu(ctx: CommandContext): boolean {
  return policy(ctx).endsWith('-lfu');
}

/**
 * A string's encoding: `raw` when the engine says it was built in place (APPEND, SETRANGE,
 * SETBIT, BITFIELD), else what Redis's tryObjectEncoding gives its bytes.
 */
export function stringEncoding(v: Buffer, raw: boolean): Buffer {
  if (raw) return RAW;
  if (parseInt64(v) !== null) return INT;
  return v.length <= EMBSTR_MAX_BYTES ? EMBSTR : RAW;
}

function encoding(ctx: CommandContext, argv: Buffer[]): Reply {
  const v = peekRead(ctx, argv[2]);
  if (v === null) return null;
  if (isCollection(v)) return Buffer.from(v.encoding(), 'latin1');
  return stringEncoding(v, ctx.server.keyspace.peekEntry(ctx.client.db, argv[2])?.raw === true);
}

/**
 * Redis shares the objects of 0..9999 unless maxmemory is set with an LRU or LFU policy (each
 * key then needs its own access clock).
 */
function refcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const v = peekRead(ctx, argv[2]);
  if (v === null) return null;
  if (isCollection(v)) return 1;
  const n = parseInt64(v);
  const p = policy(ctx);
  const sharing = ctx.server.config.int('maxmemory') === 0 || !(p.endsWith('-lru') || p.endsWith('-lfu'));
  return sharing && n !== null && n >= 0n && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}

function idletime(ctx: CommandContext, argv: Buffer[]): Reply {
  if (!existsRead(ctx, argv[2], false)) return null;
  if (isLfu(ctx)) return lfuSelected;
  const meta = ctx.server.keyspace.meta(ctx.client.db, argv[2]);
  return meta === null ? null : Math.floor(meta.idleMs / MS_PER_S);
}

function freq(ctx: CommandContext, argv: Buffer[]): Reply {
  if (!existsRead(ctx, argv[2], false)) return null;
  if (!isLfu(ctx)) return lfuNotSelected;
  const meta = ctx.server.keyspace.meta(ctx.client.db, argv[2]);
  return meta === null ? null : meta.freq;
}

const SUB = { group: 'generic', firstKey: 2, lastKey: 2, step: 1 } as const;

export const objectCommands: readonly CommandSpec[] = [
  command({
    name: 'object',
    arity: -2,
    group: 'generic',
    summary: 'A container for object introspection commands',
    since: '2.2.3',
    complexity: 'Depends on subcommand.',
    syntax: '',
    subcommands: [
      command({
        ...SUB,
        name: 'encoding',
        arity: 3,
        flags: ['readonly'],
        summary: 'Inspect the internal encoding of a Redis object',
        since: '2.2.3',
        complexity: 'O(1)',
        syntax: 'key',
        handler: encoding,
      }),
      command({
        ...SUB,
        name: 'freq',
        arity: 3,
        flags: ['readonly'],
        summary: 'Get the logarithmic access frequency counter of a Redis object',
        since: '4.0.0',
        complexity: 'O(1)',
        syntax: 'key',
        handler: freq,
      }),
      command({
        ...SUB,
        name: 'idletime',
        arity: 3,
        flags: ['readonly'],
        summary: 'Get the time since a Redis object was last accessed',
        since: '2.2.3',
        complexity: 'O(1)',
        syntax: 'key',
        handler: idletime,
      }),
      command({
        ...SUB,
        name: 'refcount',
        arity: 3,
        flags: ['readonly'],
        summary: 'Get the number of references to the value of the key',
        since: '2.2.3',
        complexity: 'O(1)',
        syntax: 'key',
        handler: refcount,
      }),
      command({
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        group: 'generic',
        categories: ['keyspace'],
        summary: 'Show helpful text about the different subcommands',
        since: '6.2.0',
        complexity: 'O(1)',
        syntax: '',
        handler: (_ctx, argv) => helpReply(argv[0], HELP_LINES),
      }),
    ],
  }),
];
