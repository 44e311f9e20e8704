/**
 * Differential test of the GEO family against a real redis-server: see
 * differential/families/geo.ts for what is generated. Replies are compared byte for byte in
 * RESP2 and RESP3, with each engine and with small and default sorted-set listpack limits
 * (geo positions are sorted-set members, and results stored by GEOSEARCHSTORE / STORE take
 * the encoding their size allows).
 */
import { collectionSuite } from './differential/families/collection-suite.js';
import { geoFamily } from './differential/families/geo.js';

collectionSuite(geoFamily, 500, {
  small: { 'zset-max-listpack-entries': 4, 'zset-max-listpack-value': 8 },
  defaults: { 'zset-max-listpack-entries': 128, 'zset-max-listpack-value': 64 },
});
