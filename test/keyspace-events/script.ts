/**
 * The command sequence run on Cairn and on redis-server for the keyspace notification test.
 * Every command of every data-type family appears, with the cases that change what Redis
 * notifies: a key created (`new`), a collection emptied (`del`), a write that changes nothing
 * (no event), a read miss (`keymiss`), WRONGTYPE, MULTI/EXEC, other databases, blocked clients
 * served by a push, keys expiring lazily and actively.
 *
 * A step is one command, or a group of commands sent together whose notifications are compared
 * as one block (used where the moment Redis's background expiry runs may fall between them).
 * Keys are never reused after a wait for expiry, so timing cannot change what a later step sees.
 */

import type { Step } from './step.js';
import { blocking, hash, list, set, transactions, zset } from './steps-collections.js';
import { geo } from './steps-geo.js';
import { expiring, expiry, generic, lazy, strings } from './steps-keys.js';

export { type Command, isCommand, type Step } from './step.js';

export const SCRIPT: readonly Step[] = [
  ...strings,
  ...generic,
  ...expiry,
  ...expiring,
  ...lazy,
  ...hash,
  ...list,
  ...set,
  ...zset,
  ...geo,
  ...blocking,
  ...transactions,
];
