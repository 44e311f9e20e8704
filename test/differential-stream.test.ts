/**
 * Differential test of streams against a real redis-server: see
 * differential/families/stream.ts for what is generated and how replies are compared. Under
 * the small thresholds stream nodes hold 4 entries or 300 bytes, so approximate trims and
 * XINFO's radix-tree figures cross node boundaries all the time.
 */
import { collectionSuite } from './differential/families/collection-suite.js';
import { streamFamily } from './differential/families/stream.js';

collectionSuite(streamFamily, 2500, {
  small: { 'stream-node-max-entries': 4, 'stream-node-max-bytes': 300 },
  defaults: { 'stream-node-max-entries': 100, 'stream-node-max-bytes': 4096 },
});
