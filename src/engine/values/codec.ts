/** Collections to and from their snapshot bytes, by type code (collection.ts TYPE_CODES). */
import { type Collection, type StoredValue, TYPE_CODES, type ValueType } from './collection.js';
import { HashValue } from './hash.js';
import { ListValue } from './list.js';
import { SetValue } from './set.js';
import { StreamValue } from './stream.js';
import { ZSetValue } from './zset.js';

export function typeCode(v: StoredValue): number {
  return v instanceof Uint8Array ? TYPE_CODES.string : TYPE_CODES[v.type];
}

/** The value saved as `bytes` with type `code`: the bytes themselves for a string. */
export function decodeValue(code: number, bytes: Buffer): StoredValue {
  switch (code) {
    case TYPE_CODES.string:
      return bytes;
    case TYPE_CODES.hash:
      return HashValue.deserialize(bytes);
    case TYPE_CODES.list:
      return ListValue.deserialize(bytes);
    case TYPE_CODES.set:
      return SetValue.deserialize(bytes);
    case TYPE_CODES.zset:
      return ZSetValue.deserialize(bytes);
    case TYPE_CODES.stream:
      return StreamValue.deserialize(bytes);
    default:
      throw new RangeError(`unknown value type code ${code}`);
  }
}

/** Bytes to save for a value (a string's own bytes). */
export function encodeValue(v: StoredValue): Buffer {
  return v instanceof Uint8Array ? (v as Buffer) : v.serialize();
}

const NAMES: Record<number, ValueType> = {
  0: 'string',
  1: 'list',
  2: 'set',
  3: 'zset',
  4: 'hash',
  15: 'stream',
};

export function typeName(code: number): ValueType {
  return NAMES[code] ?? 'string';
}

export type { Collection };
