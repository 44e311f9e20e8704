/**
 * How stream commands reach replicas (Redis 7.0's t_stream.c): never in a form whose result
 * depends on the master's clock or layout.
 *
 * - XADD: an auto ID (`*`, `<ms>-*`) is replaced by the ID given; an approximate trim
 *   (`MAXLEN ~ n`, `MINID ~ id`) becomes exact (`= <length left>`, `= <first ID left>`). XTRIM
 *   rewrites its approximate trim the same way.
 * - XREADGROUP, XCLAIM, XAUTOCLAIM: not themselves, but one `XCLAIM key group consumer 0 id TIME
 *   <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group last ID>` per entry delivered or claimed
 *   (streamPropagateXCLAIM), `XGROUP SETID key group <id> ENTRIESREAD <n>` when the group moved
 *   without a claim (NOACK, XCLAIM LASTID), and `XGROUP CREATECONSUMER` for a consumer a
 *   NOACK read created.
 */

import type { StreamValue } from '../../engine/values/stream.js';
import type { ConsumerGroup, Nack } from '../../engine/values/stream-groups.js';
import { formatId, type StreamID } from '../../engine/values/stream-id.js';
import type { CommandContext } from '../context.js';
import type { PropArg } from './propagate.js';
import { alsoPropagate, preventPropagation, propagateAs, propagating } from './rewrites.js';

/** streamGetEdgeID(first) of an empty stream. */
const MAX_ID_TEXT = '18446744073709551615-18446744073709551615';

/** Where the trim's arguments are in argv, and whether it was approximate. */
export interface TrimSite {
  /** Index of the threshold (MAXLEN's count, MINID's ID); the `~` is just before it. */
  readonly thresholdAt: number;
  readonly approx: boolean;
  readonly strategy: 'maxlen' | 'minid';
}

/** argv with an approximate trim made exact for what the stream now holds. */
function exactTrim(argv: readonly Buffer[], s: StreamValue, t: TrimSite | null): PropArg[] {
  const out: PropArg[] = [...argv];
  if (t === null || !t.approx) return out;
  out[t.thresholdAt - 1] = '=';
  if (t.strategy === 'maxlen') out[t.thresholdAt] = String(s.length);
  else {
    const first = s.firstLiveId();
    out[t.thresholdAt] = first === null ? MAX_ID_TEXT : formatId(first);
  }
  return out;
}

/**
 * XADD: replicated with the ID it added when that was generated (`idAt`: the index of the ID
 * argument; `idGiven`: a full explicit ID), and an approximate trim made exact.
 */
export function replicateXadd(
  ctx: CommandContext,
  argv: readonly Buffer[],
  s: StreamValue,
  trim: TrimSite | null,
  idAt: number,
  id: StreamID,
  idGiven: boolean,
): void {
  if (!propagating(ctx)) return;
  if (!idGiven || (trim?.approx ?? false)) {
    const out = exactTrim(argv, s, trim);
    if (!idGiven) out[idAt] = formatId(id);
    propagateAs(ctx, out);
  }
}

/** XTRIM: an approximate trim replicated as the exact one it amounted to. */
export function replicateXtrim(
  ctx: CommandContext,
  argv: readonly Buffer[],
  s: StreamValue,
  trim: TrimSite,
): void {
  if (trim.approx && propagating(ctx)) propagateAs(ctx, exactTrim(argv, s, trim));
}

/**
 * What XREADGROUP, XCLAIM and XAUTOCLAIM propagate for one stream and group: they never
 * propagate themselves (`start` keeps them out), only the XCLAIM / XGROUP commands here.
 */
export class GroupFeed {
  private constructor(
    private readonly ctx: CommandContext,
    private readonly key: Buffer,
    /** The group name as the command gave it. */
    private readonly group: Buffer,
  ) {}

  /** A feed for the running command, or null when no replica listens (the usual case). */
  static start(ctx: CommandContext, key: Buffer, group: Buffer): GroupFeed | null {
    if (!propagating(ctx)) return null;
    preventPropagation(ctx);
    return new GroupFeed(ctx, Buffer.from(key), Buffer.from(group));
  }

  /** streamPropagateXCLAIM: the entry `id` is pending for the NACK's consumer, as it now is. */
  claim(g: ConsumerGroup, id: PropArg, nack: Nack): void {
    alsoPropagate(this.ctx, [
      'XCLAIM',
      this.key,
      this.group,
      Buffer.from(nack.consumer?.name ?? '', 'latin1'),
      '0',
      id,
      'TIME',
      String(nack.deliveryTime),
      'RETRYCOUNT',
      String(BigInt.asIntN(64, nack.deliveryCount)),
      'FORCE',
      'JUSTID',
      'LASTID',
      formatId(g.lastId),
    ]);
  }

  /** streamPropagateGroupID: the group's last ID and read counter. */
  groupId(g: ConsumerGroup): void {
    alsoPropagate(this.ctx, [
      'XGROUP',
      'SETID',
      this.key,
      this.group,
      formatId(g.lastId),
      'ENTRIESREAD',
      String(g.entriesRead),
    ]);
  }

  /** streamPropagateConsumerCreation. */
  consumerCreated(name: string): void {
    alsoPropagate(this.ctx, ['XGROUP', 'CREATECONSUMER', this.key, this.group, Buffer.from(name, 'latin1')]);
  }
}
