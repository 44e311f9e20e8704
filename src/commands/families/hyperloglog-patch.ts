/**
 * In-place edits of dense HyperLogLogs through Keyspace.patchString: a dense value never
 * changes size, so PFADD, PFCOUNT's cache write and PFMERGE into a dense destination edit the
 * stored 12 KB where they lie instead of copying the value out and back (and offering it to
 * compression) on every command. Redis too changes the value in place. Each helper answers
 * false when the engine has no patchString; the caller then takes the copying path.
 *
 * The edits are module-level functions reading module-level arguments, so a command allocates
 * no closure; commands run one at a time.
 */
import type { StringEdit } from '../../engine/string-patch.js';
import { denseGet, denseSetRaw, HLL_HDR_SIZE, HLL_REGISTERS } from '../../engine/values/hll.js';
import { patIndex, patLen } from '../../engine/values/hll-hash.js';
import type { CommandContext } from '../context.js';

/** Offset of the byte holding the cache's validity bit. */
const CARD_TOP = 15;

let addArgv: Buffer[] = [];
let addFrom = 0;
let addUpdated = 0;

/** PFADD's elements addArgv[addFrom..] into dense registers; counts the registers raised. */
const addEdit: StringEdit = (bytes) => {
  let updated = 0;
  for (let i = addFrom; i < addArgv.length; i++) {
    const count = patLen(addArgv[i]);
    const index = patIndex;
    if (count > denseGet(bytes, HLL_HDR_SIZE, index)) {
      denseSetRaw(bytes, HLL_HDR_SIZE, index, count);
      updated++;
    }
  }
  bytes[CARD_TOP] |= 0x80;
  addUpdated = updated;
  return true;
};

/**
 * PFADD of argv[2..] to the dense value `view` (a transient view of `key`'s bytes): -1 when no
 * register would change (nothing written), -2 without patchString, else the registers raised.
 * The elements before the first that raises a register are hashed once, against the view.
 */
export function denseAddInPlace(ctx: CommandContext, key: Buffer, view: Uint8Array, argv: Buffer[]): number {
  const ks = ctx.server.keyspace;
  if (ks.patchString === undefined) return -2;
  let j = 2;
  while (j < argv.length && patLen(argv[j]) <= denseGet(view, HLL_HDR_SIZE, patIndex)) j++;
  if (j === argv.length) return -1;
  addArgv = argv;
  addFrom = j;
  addUpdated = 0;
  ks.patchString(ctx.client.db, key, 0, addEdit);
  addArgv = [];
  return addUpdated;
}

let cardLo = 0;
let cardHi = 0;

const cardEdit: StringEdit = (bytes) => {
  let lo = cardLo;
  let hi = cardHi;
  for (let i = 0; i < 4; i++) {
    bytes[8 + i] = lo & 0xff;
    bytes[12 + i] = hi & 0xff;
    lo = Math.floor(lo / 256);
    hi = Math.floor(hi / 256);
  }
  return true;
};

/** Store `card` (an integer below 2^64) as `key`'s cached cardinality; false without patchString. */
export function storeCardInPlace(ctx: CommandContext, key: Buffer, card: number): boolean {
  const ks = ctx.server.keyspace;
  if (ks.patchString === undefined) return false;
  cardLo = card % 2 ** 32;
  cardHi = Math.floor(card / 2 ** 32);
  ks.patchString(ctx.client.db, key, 0, cardEdit);
  return true;
}

let mergeRegs: Uint8Array = new Uint8Array(0);

const mergeEdit: StringEdit = (bytes) => {
  const max = mergeRegs;
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const m = max[j];
    if (m !== 0 && m > denseGet(bytes, HLL_HDR_SIZE, j)) denseSetRaw(bytes, HLL_HDR_SIZE, j, m);
  }
  bytes[CARD_TOP] |= 0x80;
  return true;
};

/** PFMERGE's union `max` into the dense value at `key`; false without patchString. */
export function denseMergeInPlace(ctx: CommandContext, key: Buffer, max: Uint8Array): boolean {
  const ks = ctx.server.keyspace;
  if (ks.patchString === undefined) return false;
  mergeRegs = max;
  ks.patchString(ctx.client.db, key, 0, mergeEdit);
  return true;
}
