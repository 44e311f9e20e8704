/**
 * A "near me" store locator through real clients: ioredis, and node-redis over RESP2 and
 * RESP3 (its GEOSEARCH helpers parse distances and coordinates differently per protocol),
 * against the compiled Cairn and a real redis-server side by side. Every answer the clients
 * hand the application must be the same from both servers, and must make sense on its own
 * (nearest first, within the radius).
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

/** Cafés around Paris: [longitude, latitude, name]. */
const CAFES: Array<[number, number, string]> = [
  [2.3522, 48.8566, 'hotel-de-ville'],
  [2.2945, 48.8584, 'tour-eiffel'],
  [2.3376, 48.8606, 'louvre'],
  [2.3499, 48.853, 'notre-dame'],
  [2.3795, 48.8534, 'bastille'],
  [2.2769, 48.8462, 'beaugrenelle'],
  [2.4397, 48.8462, 'vincennes'],
  [2.1301, 48.8049, 'versailles'],
];
const ME = { longitude: 2.3488, latitude: 48.8534 };

let cairn: CairnProcess;
let redis: RedisProcess;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
});

afterAll(async () => {
  await cairn?.stop();
  await redis?.stop();
});

/** The same scenario on one server through ioredis: what the application sees. */
async function ioredisScenario(port: number) {
  const r = new Redis({ port, lazyConnect: true });
  await r.connect();
  try {
    await r.del('cafes', 'nearby');
    const added = await r.geoadd('cafes', ...CAFES.flat());
    const nearest = await r.geosearch(
      'cafes',
      'FROMLONLAT',
      ME.longitude,
      ME.latitude,
      'BYRADIUS',
      3,
      'km',
      'ASC',
      'COUNT',
      3,
      'WITHDIST',
      'WITHCOORD',
    );
    const stored = await r.geosearchstore(
      'nearby',
      'cafes',
      'FROMMEMBER',
      'louvre',
      'BYBOX',
      4,
      4,
      'km',
      'STOREDIST',
    );
    const storedDist = await r.zrange('nearby', '0', '-1', 'WITHSCORES');
    const far = await r.geodist('cafes', 'hotel-de-ville', 'versailles', 'KM');
    const hashes = await r.geohash('cafes', 'louvre', 'nobody');
    const positions = await r.geopos('cafes', 'louvre', 'nobody');
    const bad = await r.geoadd('cafes', 200, 100, 'nowhere').catch((e: Error) => e.message);
    return { added, nearest, stored, storedDist, far, hashes, positions, bad };
  } finally {
    r.disconnect();
  }
}

/** The same scenario through node-redis's typed helpers. */
async function nodeRedisScenario(port: number, RESP: 2 | 3) {
  const c = createClient({ socket: { port, host: '127.0.0.1' }, RESP });
  await c.connect();
  try {
    await c.del(['cafes', 'near']);
    await c.geoAdd(
      'cafes',
      CAFES.map(([longitude, latitude, member]) => ({ longitude, latitude, member })),
    );
    const within = await c.geoSearchWith(
      'cafes',
      ME,
      { radius: 2, unit: 'km' },
      ['WITHDIST', 'WITHCOORD', 'WITHHASH'],
      {
        SORT: 'ASC',
      },
    );
    const any = await c.geoSearch(
      'cafes',
      'bastille',
      { width: 10, height: 10, unit: 'km' },
      { COUNT: { value: 2, ANY: true } },
    );
    const radius = await c.geoRadiusWith('cafes', ME, 1500, 'm', ['WITHDIST']);
    const stored = await c.geoSearchStore(
      'near',
      'cafes',
      ME,
      { radius: 5, unit: 'km' },
      { SORT: 'DESC', COUNT: 2 },
    );
    const near = await c.zRange('near', 0, -1);
    const pos = await c.geoPos('cafes', ['tour-eiffel', 'nobody']);
    return { within, any, radius, stored, near, pos };
  } finally {
    await c.quit();
  }
}

describe('"near me" through real clients', () => {
  it('ioredis sees the same answers from Cairn as from redis-server', async () => {
    const mine = await ioredisScenario(cairn.respPort);
    const theirs = await ioredisScenario(redis.port);
    expect(mine).toEqual(theirs);
    // And they make sense: nearest first, within 3 km, with parsed positions.
    expect(mine.added).toBe(CAFES.length);
    const nearest = mine.nearest as Array<[string, string, [string, string]]>;
    expect(nearest.map((n) => n[0])).toEqual(['notre-dame', 'hotel-de-ville', 'louvre']);
    const dists = nearest.map((n) => Number(n[1]));
    expect(dists).toEqual([...dists].sort((a, b) => a - b));
    expect(dists.every((d) => d <= 3)).toBe(true);
    expect(Math.abs(Number(nearest[2][2][0]) - 2.3376)).toBeLessThan(1e-4);
    expect(Number(mine.far)).toBeGreaterThan(15);
    expect(mine.hashes[1]).toBeNull();
    expect(mine.positions[1]).toBeNull();
    // A position off the map is refused with Redis's words; the valid ones above were kept.
    expect(mine.bad).toBe('ERR invalid longitude,latitude pair 200.000000,100.000000');
  });

  for (const resp of [2, 3] as const) {
    it(`node-redis (RESP${resp}) parses the same replies from Cairn as from redis-server`, async () => {
      const mine = await nodeRedisScenario(cairn.respPort, resp);
      const theirs = await nodeRedisScenario(redis.port, resp);
      expect(mine).toEqual(theirs);
      expect(mine.within.map((w) => w.member)).toEqual(['notre-dame', 'hotel-de-ville', 'louvre']);
      expect(mine.within.every((w) => w.coordinates !== undefined && w.hash !== undefined)).toBe(true);
      expect(mine.any).toHaveLength(2);
      expect(mine.stored).toBe(2);
      expect(mine.near).toHaveLength(2);
      expect(mine.pos[1]).toBeNull();
    });
  }
});
