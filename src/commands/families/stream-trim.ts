/**
 * XADD's and XTRIM's options, read as Redis 7.0's streamParseAddOrTrimArgsOrReply reads them:
 *
 *   XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value ...
 *   XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]
 *
 * For XADD the options end at the first argument that is none of them: `*` or an ID (anything
 * else is an invalid ID). LIMIT goes with `~` only; an approximate trim without LIMIT may
 * remove at most 100 * stream-node-max-entries entries (0: no limit), computed in int64 as
 * Redis does.
 */
import type { TrimArgs } from '../../engine/values/stream.js';
import { ZERO_ID } from '../../engine/values/stream-id.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import { optIs } from './lookup.js';
import { invalidId, type ParsedId, parseId } from './stream-args.js';

const bothStrategies = new ErrorReply(
  'ERR',
  'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
);
const negativeMaxlen = new ErrorReply('ERR', 'ERR The MAXLEN argument must be >= 0.');
const negativeLimit = new ErrorReply('ERR', 'ERR The LIMIT argument must be >= 0.');
const limitWithoutStrategy = new ErrorReply(
  'ERR',
  'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
);
const xtrimWithoutStrategy = new ErrorReply(
  'ERR',
  'ERR syntax error, XTRIM must be called with a trimming strategy',
);
const limitWithoutApprox = new ErrorReply(
  'ERR',
  'ERR syntax error, LIMIT cannot be used without the special ~ option',
);

export interface AddTrimArgs {
  trim: TrimArgs | null;
  noMkStream: boolean;
  /** XADD: the explicit ID, null for `*`. */
  id: ParsedId | null;
  /** Index of the argument after the options (XADD: the ID or `*`). */
  next: number;
  /** Index of the trim threshold (MAXLEN's count, MINID's ID), -1 without a trim (replication). */
  thresholdAt: number;
}

/** A one-character argument as C compares it (`s[0] == c && s[1] == '\0'`). */
function isChar(b: Uint8Array, c: number): boolean {
  return b.length > 0 && b[0] === c && (b.length === 1 || b[1] === 0);
}

const STAR = 0x2a;
const TILDE = 0x7e;
const EQUALS = 0x3d;
const APPROX_LIMIT_FACTOR = 100n;

/** `XADD key * ...`: no option, an auto ID (the common form, answered without parsing). */
const PLAIN_XADD: AddTrimArgs = { trim: null, noMkStream: false, id: null, next: 2, thresholdAt: -1 };

export function parseAddTrimArgs(
  argv: Buffer[],
  xadd: boolean,
  nodeMaxEntries: bigint,
): AddTrimArgs | ErrorReply {
  if (xadd && argv.length > 2 && isChar(argv[2], STAR)) return PLAIN_XADD;
  let strategy: TrimArgs['strategy'] | null = null;
  let approx = false;
  let maxlen = 0n;
  let minid = ZERO_ID;
  let limit = 0n;
  let limitGiven = false;
  let noMkStream = false;
  let id: ParsedId | null = null;
  let thresholdAt = -1;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && isChar(opt, STAR)) break;
    const isMaxlen = optIs(opt, 'maxlen');
    if ((isMaxlen || optIs(opt, 'minid')) && more > 0) {
      if (strategy !== null) return bothStrategies;
      approx = false;
      const next = argv[i + 1];
      if (more >= 2 && isChar(next, TILDE)) {
        approx = true;
        i++;
      } else if (more >= 2 && isChar(next, EQUALS)) i++;
      thresholdAt = i + 1;
      if (isMaxlen) {
        const n = parseInt64(argv[i + 1]);
        if (n === null) return Errors.notInteger;
        if (n < 0n) return negativeMaxlen;
        maxlen = n;
      } else {
        const p = parseId(argv[i + 1], { strict: true, missingSeq: 0n });
        if (p === null) return invalidId;
        minid = p.id;
      }
      i++;
      strategy = isMaxlen ? 'maxlen' : 'minid';
    } else if (optIs(opt, 'limit') && more > 0) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return Errors.notInteger;
      if (n < 0n) return negativeLimit;
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && optIs(opt, 'nomkstream')) {
      noMkStream = true;
    } else if (xadd) {
      id = parseId(opt, { strict: true, missingSeq: 0n, allowAutoSeq: true });
      if (id === null) return invalidId;
      break;
    } else {
      return Errors.syntax;
    }
  }
  if (limit !== 0n && strategy === null) return limitWithoutStrategy;
  if (!xadd && strategy === null) return xtrimWithoutStrategy;
  if (limitGiven) {
    if (!approx) return limitWithoutApprox;
  } else {
    limit = approx ? BigInt.asIntN(64, APPROX_LIMIT_FACTOR * nodeMaxEntries) : 0n;
  }
  const trim: TrimArgs | null =
    strategy === null ? null : { strategy, maxlen: Number(maxlen), minid, approx, limit: Number(limit) };
  return { trim, noMkStream, id, next: i, thresholdAt };
}
