/**
 * Differential test of the hash family against a real redis-server: see
 * differential/families/hash.ts for what is generated and how replies are compared, and
 * differential/families/collection-suite.ts for the runs (engines, protocols, thresholds).
 */
import { collectionSuite } from './differential/families/collection-suite.js';
import { hashFamily } from './differential/families/hash.js';

collectionSuite(hashFamily, 2500);
