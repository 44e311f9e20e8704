/**
 * DEBUG HTSTATS-KEY key: Redis's dictGetStats text for the hash table of a `hashtable` hash or
 * set (or a `skiplist` sorted set). The figures are Cairn's own table's (big-table-index.ts:
 * open addressing), in Redis's words: "table size" is the index's slots, "different slots" the
 * slots holding an entry, a "chain" a probe run (consecutive non-empty slots, what a lookup
 * walks), and while an incremental rehash is in progress the index being left is table 0 and
 * the new one table 1, the "rehashing target". A sorted set's member index is a JavaScript
 * Map, whose buckets are not observable: only its element count is given.
 */
import type { IndexStats } from '../../engine/values/big-table-index.js';
import { HashValue } from '../../engine/values/hash.js';
import { SetValue } from '../../engine/values/set.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { type Reply, VerbatimReply } from '../reply.js';
import { peekRead } from './lookup.js';

const noSuchKey = new ErrorReply('ERR', 'ERR no such key');
const notHashTable = new ErrorReply(
  'ERR',
  'ERR The value stored at the specified key is not represented using an hash table',
);
/** Redis's DICT_STATS_VECTLEN: chains this long or longer are not listed. */
const STATS_VECTLEN = 50;
/** Redis formats into a 4096-byte buffer (the last byte its terminator). */
const STATS_MAX_CHARS = 4095;

/** printf's %.02f of a C float computed as (float)a / b [* 100]. */
function floatRatio(a: number, b: number, scale = 1): string {
  const r = Math.fround(Math.fround(a) / Math.fround(b));
  return (scale === 1 ? r : Math.fround(r * scale)).toFixed(2);
}

function tableText(t: IndexStats, idx: number): string {
  const head = `Hash table ${idx} stats (${idx === 0 ? 'main hash table' : 'rehashing target'}):\n`;
  if (t.elements === 0) return `${head}No stats available for empty dictionaries\n`;
  let runs = 0;
  let runSlots = 0;
  for (const [len, count] of t.runs) {
    if (len === 0) continue;
    runs += count;
    runSlots += len * count;
  }
  let s =
    head +
    ` table size: ${t.size}\n` +
    ` number of elements: ${t.elements}\n` +
    ` different slots: ${t.slots}\n` +
    ` max chain length: ${t.maxRun}\n` +
    ` avg chain length (counted): ${floatRatio(runSlots, runs)}\n` +
    ` avg chain length (computed): ${floatRatio(t.elements, t.slots)}\n` +
    ' Chain length distribution:\n';
  const lens = [...t.runs.keys()].filter((l) => l < STATS_VECTLEN - 1).sort((a, b) => a - b);
  for (const len of lens) {
    const count = t.runs.get(len) as number;
    s += `   ${len}: ${count} (${floatRatio(count, t.size, 100)}%)\n`;
  }
  return s;
}

/** The stats text of tables [main, rehashing target?]. */
export function htStatsText(tables: readonly IndexStats[]): string {
  return tables
    .map((t, i) => tableText(t, i))
    .join('')
    .slice(0, STATS_MAX_CHARS);
}

export function debugHtStatsKey(ctx: CommandContext, argv: Buffer[]): Reply {
  const v = peekRead(ctx, argv[2]);
  if (v === null) return noSuchKey;
  let tables: IndexStats[] | null = null;
  if (v instanceof SetValue || v instanceof HashValue) tables = v.indexStats();
  else if (v instanceof ZSetValue && v.encoding() === 'skiplist') {
    const n = v.size();
    const text =
      n === 0
        ? 'Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n'
        : `Hash table 0 stats (main hash table):\n number of elements: ${n}\n`;
    return new VerbatimReply('txt', text);
  }
  if (tables === null) return notHashTable;
  return new VerbatimReply('txt', htStatsText(tables));
}
