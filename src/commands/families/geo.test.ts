/**
 * The GEO family through the real table and dispatcher. Expected replies are redis-server
 * 7.0.15's (recorded from it), including the edges: positions at the Web Mercator limits and
 * the antimeridian, scores that were never positions, and infinite or tiny radii.
 */
import { describe, expect, it } from 'vitest';
import { formatDouble } from '../../util/double.js';
import { DoubleReply, NULL_ARRAY, type Reply } from '../reply.js';
import { plain, session } from './test-helpers.js';

/**
 * Replies as plain values: a double that carries its text shows as `d:<text>` (coordinates, and
 * integral scores below 2^53, which scoreReply prints with String()), another as its %.17g.
 */
function show(r: Reply): unknown {
  if (r instanceof DoubleReply) return r.text === undefined ? formatDouble(r.value) : `d:${r.text}`;
  if (r === NULL_ARRAY) return 'null-array';
  if (Array.isArray(r)) return r.map(show);
  return plain(r);
}

function geoSession() {
  const s = session();
  return Object.assign(s, { g: async (...args: string[]) => show(await s.raw(...args)) });
}

const NYC = [
  ['-73.9454966', '40.747533', 'lic'],
  ['-73.9733487', '40.7648057', 'cp'],
  ['-73.9903085', '40.7362513', 'us'],
  ['-74.0131604', '40.7126674', 'wtc'],
].flat();

describe('GEOADD and the stored scores', () => {
  it('stores Redis 52-bit interleaved geohash as the score', async () => {
    const s = geoSession();
    expect(await s.g('GEOADD', 'nyc', ...NYC)).toBe(4);
    expect(await s.g('ZRANGE', 'nyc', '0', '-1', 'WITHSCORES')).toEqual([
      'wtc',
      'd:1791873972053020',
      'us',
      'd:1791875485187452',
      'cp',
      'd:1791875761332224',
      'lic',
      'd:1791875804419201',
    ]);
    // At longitude 180 the hash has bit 53 set: 2^53 + 2^52 for the top-right corner.
    expect(
      await s.g(
        'GEOADD',
        'e',
        '180',
        '85.05112878',
        'top',
        '-180',
        '-85.05112878',
        'bottom',
        '0',
        '0',
        'zero',
      ),
    ).toBe(3);
    expect(await s.g('ZSCORE', 'e', 'top')).toBe('13510798882111488');
    expect(await s.g('ZSCORE', 'e', 'bottom')).toBe('0');
    expect(await s.g('ZSCORE', 'e', 'zero')).toBe('d:3377699720527872');
  });

  it('follows ZADD for NX, XX and CH, and checks every position first', async () => {
    const s = geoSession();
    expect(await s.g('GEOADD', 'k', '1', '2', 'a')).toBe(1);
    expect(await s.g('GEOADD', 'k', 'NX', '3', '4', 'a')).toBe(0);
    expect(await s.g('GEOADD', 'k', 'CH', 'XX', '3', '4', 'a', '5', '6', 'b')).toBe(1);
    expect(await s.g('ZCARD', 'k')).toBe(1);
    expect(await s.g('GEOADD', 'k', 'XX', 'NX', '1', '2', 'a')).toBe('-ERR syntax error');
    expect(await s.g('GEOADD', 'k', 'CH', 'foo', '1', '2', 'a')).toBe('-ERR syntax error');
    expect(await s.g('GEOADD', 'k', 'ch', 'ch', 'ch')).toBe('-ERR syntax error');
    expect(await s.g('GEOADD', 'k', '1', '2', 'c', 'foo', 'bar', 'd')).toBe(
      '-ERR value is not a valid float',
    );
    expect(await s.g('GEOADD', 'k', '181', '0', 'x')).toBe(
      '-ERR invalid longitude,latitude pair 181.000000,0.000000',
    );
    expect(await s.g('GEOADD', 'k', '0', '-85.06', 'x')).toBe(
      '-ERR invalid longitude,latitude pair 0.000000,-85.060000',
    );
    expect(await s.g('ZCARD', 'k')).toBe(1);
  });
});

describe('GEOPOS GEOHASH GEODIST', () => {
  it('decode positions and print them as Redis does', async () => {
    const s = geoSession();
    await s.g('GEOADD', 'nyc', ...NYC);
    expect(await s.g('GEOPOS', 'nyc', 'lic', 'nope')).toEqual([
      ['d:-73.94549578428268433', 'd:40.74753227099792952'],
      'null-array',
    ]);
    expect(await s.g('GEOPOS', 'missing', 'a')).toEqual(['null-array']);
    expect(await s.g('GEOHASH', 'nyc', 'lic', 'nope')).toEqual(['dr5rv3fe940', null]);
    expect(await s.g('GEODIST', 'nyc', 'lic', 'wtc', 'km')).toBe('6.8969');
    expect(await s.g('GEODIST', 'nyc', 'lic', 'lic')).toBe('0.0000');
    expect(await s.g('GEODIST', 'nyc', 'lic', 'nope')).toBeNull();
    expect(await s.g('GEODIST', 'missing', 'a', 'b')).toBeNull();
    expect(await s.g('GEODIST', 'nyc', 'lic', 'wtc', 'yards')).toBe(
      '-ERR unsupported unit provided. please use M, KM, FT, MI',
    );
    expect(await s.g('GEODIST', 'nyc', 'lic', 'wtc', 'km', 'x')).toBe('-ERR syntax error');
    await s.g('GEOADD', 'w', '-5.6', '42.6', 'test');
    expect(await s.g('GEOHASH', 'w', 'test')).toEqual(['ezs42e44yx0']);
  });

  it('decode the corners of the map and scores that were never positions', async () => {
    const s = geoSession();
    await s.g('GEOADD', 'e', '180', '85.05112878', 'top', '0', '0', 'zero', '179.99999', '0.5', 'am');
    expect(await s.g('GEOPOS', 'e', 'top', 'zero', 'am')).toEqual([
      ['d:180', 'd:85.0511287799999991'],
      ['d:0.00000268220901489', 'd:0.00000126736058093'],
      ['d:179.99999195337295532', 'd:0.50000036325177888'],
    ]);
    expect(await s.g('GEOHASH', 'e', 'top', 'zero', 'am')).toEqual([
      'bp05b5048p0',
      's0000000000',
      'xbpfzgpbxy0',
    ]);
    await s.g('ZADD', 'w', '-1', 'neg', '1.5', 'frac', '1e30', 'huge', 'inf', 'pinf', '-inf', 'ninf');
    expect(await s.g('GEOPOS', 'w', 'neg', 'frac', 'huge', 'pinf', 'ninf')).toEqual([
      ['d:180', 'd:85.0511287799999991'],
      ['d:-179.99999731779098511', 'd:-85.05112497791824921'],
      ['d:-179.99999731779098511', 'd:-85.05112751263942528'],
      ['d:-179.99999731779098511', 'd:-85.05112751263942528'],
      ['d:180', 'd:-85.05112751263942528'],
    ]);
    expect(await s.g('GEOHASH', 'w', 'neg', 'frac', 'huge')).toEqual([
      'bp05b5048p0',
      '00bh0hbj210',
      '00bh0hbj200',
    ]);
  });
});

describe('GEORADIUS and GEOSEARCH', () => {
  it('sort, measure and describe the members found', async () => {
    const s = geoSession();
    await s.g('GEOADD', 'nyc', ...NYC);
    expect(
      await s.g(
        'GEORADIUS',
        'nyc',
        '-73.9798091',
        '40.7598464',
        '3',
        'km',
        'WITHDIST',
        'WITHCOORD',
        'WITHHASH',
        'ASC',
      ),
    ).toEqual([
      ['cp', '0.7750', 1791875761332224, ['d:-73.97334784269332886', 'd:40.76480639569881959']],
      ['us', '2.7697', 1791875485187452, ['d:-73.99031013250350952', 'd:40.73625022711770782']],
    ]);
    expect(
      await s.g(
        'GEOSEARCH',
        'nyc',
        'FROMLONLAT',
        '-73.9798091',
        '40.7598464',
        'BYBOX',
        '6',
        '6',
        'km',
        'ASC',
      ),
    ).toEqual(['cp', 'us', 'lic']);
    expect(await s.g('GEORADIUSBYMEMBER', 'nyc', 'wtc', '7', 'km', 'WITHDIST')).toEqual([
      ['wtc', '0.0000'],
      ['us', '3.2544'],
      ['cp', '6.7000'],
      ['lic', '6.8969'],
    ]);
    expect(
      await s.g('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '2', 'DESC'),
    ).toEqual(['wtc', 'lic']);
  });

  it('read the same boxes as Redis for infinite and tiny radii', async () => {
    const s = geoSession();
    await s.g('GEOADD', 'e', '180', '85.05112878', 'top', '-180', '-85.05112878', 'bottom', '0', '0', 'zero');
    await s.g('GEOADD', 'e', '179.99999', '0.5', 'am');
    // `top` lies beyond the step-1 cells' scores, so even an infinite radius misses it.
    expect(await s.g('GEORADIUS', 'e', '0', '0', 'inf', 'm', 'WITHDIST', 'WITHHASH')).toEqual([
      ['zero', '0.3300', 3377699720527872],
      ['am', '19965120.8096', 4128321133538040],
      ['bottom', '10560811.7759', 0],
    ]);
    expect(await s.g('GEORADIUS', 'e', '0', '0', '1e-300', 'm', 'WITHDIST')).toEqual([]);
    expect(
      await s.g('GEORADIUSBYMEMBER', 'e', 'zero', '20000', 'km', 'WITHDIST', 'COUNT', '2', 'DESC'),
    ).toEqual([
      ['am', '19965.1207'],
      ['bottom', '10560.8119'],
    ]);
  });

  it('check options in Redis order', async () => {
    const s = geoSession();
    await s.g('GEOADD', 'nyc', ...NYC);
    const at = ['FROMLONLAT', '-73.9798091', '40.7598464'];
    expect(await s.g('GEOSEARCH', 'nyc', ...at, 'FROMMEMBER', 'x', 'BYBOX', '6', '6', 'km')).toBe(
      '-ERR syntax error',
    );
    expect(await s.g('GEOSEARCH', 'nyc', 'BYBOX', '3', '3', 'km', 'ASC')).toBe(
      '-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH',
    );
    expect(await s.g('geosearch', 'nyc', ...at, 'asc', 'withdist')).toBe(
      '-ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch',
    );
    expect(await s.g('GEOSEARCH', 'nyc', ...at, 'BYBOX', '6', '6', 'km', 'STOREDIST')).toBe(
      '-ERR syntax error',
    );
    expect(await s.g('GEORADIUS', 'nyc', '0', '0', '10', 'km', 'ANY')).toBe(
      '-ERR the ANY argument requires COUNT argument',
    );
    expect(await s.g('GEORADIUS', 'nyc', '0', '0', '10', 'km', 'COUNT', '0')).toBe('-ERR COUNT must be > 0');
    expect(await s.g('GEORADIUS', 'nyc', '0', '0', '10', 'km', 'COUNT', 'x')).toBe(
      '-ERR value is not an integer or out of range',
    );
    expect(await s.g('GEORADIUS', 'nyc', '0', '0', 'x', 'km')).toBe('-ERR need numeric radius');
    expect(await s.g('GEORADIUS', 'nyc', '0', '0', '-1', 'km')).toBe('-ERR radius cannot be negative');
    expect(await s.g('GEOSEARCH', 'nyc', ...at, 'BYBOX', '1', 'y', 'km')).toBe('-ERR need numeric height');
    expect(await s.g('GEOSEARCH', 'nyc', ...at, 'BYBOX', '-1', '1', 'km')).toBe(
      '-ERR height or width cannot be negative',
    );
    expect(await s.g('GEORADIUSBYMEMBER', 'nyc', 'nope', '1', 'km')).toBe(
      '-ERR could not decode requested zset member',
    );
    expect(await s.g('GEORADIUS', 'nyc', '0', '0', '1', 'km', 'STORE', 'd', 'WITHDIST')).toBe(
      '-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
    );
    expect(await s.g('GEORADIUS_RO', 'nyc', '0', '0', '1', 'km', 'STORE', 'd')).toBe('-ERR syntax error');
    // A missing source answers empty before the member or radius would be read.
    expect(await s.g('GEORADIUSBYMEMBER', 'none', 'x', 'bad', 'unit')).toEqual([]);
    await s.g('SET', 'str', 'x');
    expect(await s.g('GEOSEARCH', 'str', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km')).toMatch(/^-WRONGTYPE/);
  });

  it('store results, their distances, or delete the destination', async () => {
    const s = geoSession();
    await s.g('GEOADD', 'src', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    expect(await s.g('GEORADIUS', 'src', '15', '37', '200', 'km', 'STORE', 'dst')).toBe(2);
    expect(await s.g('ZRANGE', 'dst', '0', '-1')).toEqual(['Palermo', 'Catania']);
    expect(
      await s.g(
        'GEOSEARCHSTORE',
        'd2',
        'src',
        'FROMLONLAT',
        '15',
        '37',
        'BYRADIUS',
        '200',
        'km',
        'STOREDIST',
      ),
    ).toBe(2);
    expect(await s.g('ZRANGE', 'd2', '0', '-1', 'WITHSCORES')).toEqual([
      'Catania',
      '56.441257870158204',
      'Palermo',
      '190.44242984775784',
    ]);
    expect(await s.g('OBJECT', 'ENCODING', 'd2')).toBe('listpack');
    expect(await s.g('GEOSEARCHSTORE', 'd2', 'src', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km')).toBe(0);
    expect(await s.g('EXISTS', 'd2')).toBe(0);
    expect(await s.g('GEORADIUSBYMEMBER', 'none', 'x', '1', 'km', 'STORE', 'dst')).toBe(0);
    expect(await s.g('EXISTS', 'dst')).toBe(0);
  });
});
