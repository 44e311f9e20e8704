/**
 * What the bitmap commands share: bit offset parsing bounded by `proto-max-bulk-len`, the
 * errors Redis words for them, and access to a string addressed bit by bit without copying it:
 * reads take a transient view of the stored bytes, writes edit them in place through
 * Keyspace.patchString (Redis's lookupStringForBitCommand grows the string with zeros so the
 * highest bit written exists, then the command changes bytes of it).
 */
import { constants as bufferConstants } from 'node:buffer';
import type { StringEdit } from '../../engine/string-patch.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { countLookup, optIs } from './lookup.js';

export const bitOffsetError = new ErrorReply('ERR', 'ERR bit offset is not an integer or out of range');
export const bitValueError = new ErrorReply('ERR', 'ERR bit is not an integer or out of range');

/** The longest string a Node Buffer can hold (4 GiB on Node 20): offsets stay below it. */
const MAX_STRING_BYTES = bufferConstants.MAX_LENGTH;

/**
 * Redis's getBitOffsetFromArgument: a non-negative int64 whose byte (offset / 8) is below
 * `proto-max-bulk-len` (and below MAX_STRING_BYTES, for a proto-max-bulk-len set past it). With `fieldBits` > 0 (BITFIELD), `#N` means N * fieldBits, multiplied
 * in int64 as C does (so a product that wraps negative is refused like any negative offset).
 */
export function parseBitOffset(ctx: CommandContext, arg: Buffer, fieldBits = 0): number | ErrorReply {
  const hash = fieldBits > 0 && arg.length > 0 && arg[0] === 0x23;
  let v = parseInt64(hash ? arg.subarray(1) : arg);
  if (v === null) return bitOffsetError;
  if (hash) v = BigInt.asIntN(64, v * BigInt(fieldBits));
  const limit = Math.min(ctx.server.config.int('proto-max-bulk-len'), MAX_STRING_BYTES);
  if (v < 0n || v >> 3n >= BigInt(limit)) return bitOffsetError;
  return Number(v);
}

/** Parse a BYTE | BIT unit word (Redis compares it with strcasecmp). */
export function parseUnit(arg: Buffer): boolean | ErrorReply {
  if (optIs(arg, 'bit')) return true;
  if (optIs(arg, 'byte')) return false;
  return Errors.syntax;
}

/** A view of the stored string (no copy), null when missing, WRONGTYPE for a collection. */
function viewOf(ctx: CommandContext, key: Buffer, counted: boolean): Buffer | null | ErrorReply {
  const v = ctx.server.keyspace.get(ctx.client.db, key, true);
  if (counted) countLookup(ctx, v !== null, key);
  return v === null || v instanceof Uint8Array ? (v as Buffer | null) : Errors.wrongType;
}

/**
 * A string read (lookupKeyRead + checkType, counted as a hit or miss) as a view of the stored
 * bytes: valid until the keyspace next changes, so read it at once and keep nothing.
 */
export function lookupBits(ctx: CommandContext, key: Buffer): Buffer | null | ErrorReply {
  return viewOf(ctx, key, true);
}

/** A string about to be written (lookupKeyWrite + checkType: not counted), as a view. */
export function lookupBitsWrite(ctx: CommandContext, key: Buffer): Buffer | null | ErrorReply {
  return viewOf(ctx, key, false);
}

/**
 * Edit the existing string at `key`: zero-padded to `minLength` bytes, then changed by `edit`
 * (which answers whether it changed anything). In place when the engine can; otherwise the
 * value is copied, edited and stored back (keeping its TTL) when it changed or grew.
 */
export function patchBits(ctx: CommandContext, key: Buffer, minLength: number, edit: StringEdit): void {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  if (ks.patchString !== undefined) {
    ks.patchString(db, key, minLength, edit);
    return;
  }
  const old = ks.get(db, key) as Buffer;
  const bytes = Buffer.alloc(Math.max(minLength, old.length));
  old.copy(bytes);
  if (edit(bytes) || bytes.length !== old.length) ks.set(db, key, bytes, 0, true);
}
