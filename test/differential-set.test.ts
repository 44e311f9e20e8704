/**
 * Differential test of the set family against a real redis-server: see
 * differential/families/set.ts for what is generated and how replies are compared, and
 * differential/families/collection-suite.ts for the runs (engines, protocols, thresholds).
 */
import { collectionSuite } from './differential/families/collection-suite.js';
import { setFamily } from './differential/families/set.js';

collectionSuite(setFamily, 2500);
