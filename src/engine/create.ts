/** Build the keyspace the config names (`engine`): the Map reference or the off-heap engine. */
import { type Clock, HoldableClock } from './clock.js';
import { MapKeyspace } from './map-keyspace.js';
import { OffHeapKeyspace } from './offheap/keyspace.js';
import type { Keyspace } from './types.js';

/** Every engine, for benchmarks and tests that run them side by side. */
export const ENGINE_NAMES = ['map', 'offheap'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export function createKeyspace(
  name: EngineName,
  databases: number,
  clock: Clock = new HoldableClock(),
): Keyspace {
  switch (name) {
    case 'map':
      return new MapKeyspace(databases, clock);
    case 'offheap':
      return new OffHeapKeyspace(databases, clock);
    default:
      throw new Error(`unknown engine '${name as string}'`);
  }
}
