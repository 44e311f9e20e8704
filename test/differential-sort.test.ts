/**
 * Differential test of SORT and SORT_RO against a real redis-server: see
 * differential/families/sort.ts for what is generated and how replies are compared, and
 * differential/families/collection-suite.ts for the runs (engines, protocols, thresholds).
 */
import { collectionSuite } from './differential/families/collection-suite.js';
import { sortFamily } from './differential/families/sort.js';

collectionSuite(sortFamily, 400, {
  small: { 'set-max-intset-entries': 4, 'zset-max-listpack-entries': 4, 'zset-max-listpack-value': 8 },
  defaults: {
    'set-max-intset-entries': 512,
    'zset-max-listpack-entries': 128,
    'zset-max-listpack-value': 64,
  },
});
