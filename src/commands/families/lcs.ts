/**
 * LCS: the longest common subsequence of two string values, by Redis's dynamic programming
 * table and its exact walk back through it, so that among equally long answers Cairn picks the
 * one Redis picks, and IDX reports the same ranges in the same order.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { MapReply, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { interrupted, lookupRead, optIs } from './lookup.js';

const EMPTY = Buffer.alloc(0);
const MATCHES = Buffer.from('matches');
const LEN = Buffer.from('len');
/** Redis sizes its table as uint32 cells; the proto-max-bulk-len bound is on that size. */
const REDIS_CELL_BYTES = 4;
/** Rows of the table filled between two deadline checks. */
const ROWS_PER_CHECK = 256;

const ambiguous = new ErrorReply('ERR', 'ERR If you want both the length and indexes, please just use IDX.');
const tooMuchMemory = new ErrorReply(
  'ERR',
  'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
);

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function parseOptions(argv: Buffer[]): LcsOptions | ErrorReply {
  const o: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0 };
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (optIs(opt, 'idx')) o.idx = true;
    else if (optIs(opt, 'len')) o.len = true;
    else if (optIs(opt, 'withmatchlen')) o.withMatchLen = true;
    else if (optIs(opt, 'minmatchlen') && j + 1 < argv.length) {
      const v = parseInt64(argv[++j]);
      if (v === null) return Errors.notInteger;
      o.minMatchLen = v < 0n ? 0 : Number(v);
    } else return Errors.syntax;
  }
  if (o.idx && o.len) return ambiguous;
  return o;
}

/**
 * table[i * (blen + 1) + j] = LCS length of a[0..i) and b[0..j). Cells hold at most
 * min(alen, blen), so the narrowest typed array that fits is used.
 */
function buildTable(
  ctx: CommandContext,
  a: Buffer,
  b: Buffer,
): Uint8Array | Uint16Array | Uint32Array | ErrorReply {
  const alen = a.length;
  const blen = b.length;
  const cols = blen + 1;
  const cells = (alen + 1) * cols;
  const most = Math.min(alen, blen);
  const t =
    most <= 0xff ? new Uint8Array(cells) : most <= 0xffff ? new Uint16Array(cells) : new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    if (i % ROWS_PER_CHECK === 0) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
    const ai = a[i - 1];
    const row = i * cols;
    const prev = row - cols;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) t[row + j] = t[prev + j - 1] + 1;
      else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = Math.max(up, left);
      }
    }
  }
  return t;
}

const notStrings = new ErrorReply('ERR', 'ERR The specified keys must contain string values');

function lcs(ctx: CommandContext, argv: Buffer[]): Reply {
  const ra = lookupRead(ctx, argv[1]);
  const rb = lookupRead(ctx, argv[2]);
  if (ra instanceof ErrorReply || rb instanceof ErrorReply) return notStrings;
  const a = ra ?? EMPTY;
  const b = rb ?? EMPTY;
  const o = parseOptions(argv);
  if (o instanceof ErrorReply) return o;
  const alen = a.length;
  const blen = b.length;
  const maxBytes = ctx.server.config.int('proto-max-bulk-len');
  if ((alen + 1) * (blen + 1) * REDIS_CELL_BYTES > maxBytes) return tooMuchMemory;
  const t = buildTable(ctx, a, b);
  if (t instanceof ErrorReply) return t;
  const cols = blen + 1;
  const total = t[alen * cols + blen];
  if (o.len && !o.idx) return total;

  // Walk back from the end, collecting the common bytes and the ranges that matched
  // contiguously in both strings (Redis's loop, step for step).
  const result = Buffer.allocUnsafe(total);
  const matches: Reply[] = [];
  let idx = total;
  let i = alen;
  let j = blen;
  let aStart = alen; // alen means "no range open"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (t[(i - 1) * cols + j] > t[i * cols + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (o.idx && (o.minMatchLen === 0 || matchLen >= o.minMatchLen)) {
        const m: Reply[] = [
          [aStart, aEnd],
          [bStart, bEnd],
        ];
        if (o.withMatchLen) m.push(matchLen);
        matches.push(m);
      }
      aStart = alen;
    }
  }
  if (!o.idx) return result;
  return new MapReply([
    [MATCHES, matches],
    [LEN, total],
  ]);
}

export const lcsCommands: readonly CommandSpec[] = [
  command({
    name: 'lcs',
    arity: -3,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'string',
    summary: 'Find longest common substring',
    since: '7.0.0',
    complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    syntax: 'key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]',
    handler: lcs,
  }),
];
