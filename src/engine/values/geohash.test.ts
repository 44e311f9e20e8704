import { describe, expect, it } from 'vitest';
import { decodeScore, distance, scoreText, standardGeohash } from './geohash.js';
import { estimateSteps, type GeoShape, searchCells, searchRanges } from './geohash-area.js';

const shape = (s: Partial<GeoShape>): GeoShape => ({
  type: 'circle',
  lon: 0,
  lat: 0,
  conversion: 1,
  radius: 0,
  width: 0,
  height: 0,
  ...s,
});

describe('geohash scores', () => {
  it('encodes positions as Redis GEOADD scores them', () => {
    expect(scoreText(-73.9454966, 40.747533)).toBe('1791875804419201');
    expect(scoreText(0, 0)).toBe('3377699720527872');
    expect(scoreText(-180, -85.05112878)).toBe('0');
    // Longitude 180 sets bit 53: above 2^53 the text is exact (ZADD then rounds it).
    expect(scoreText(180, 85.05112878)).toBe('13510798882111488');
    expect(scoreText(180, 0)).toBe('10133099161583616');
  });

  it('decodes a score to the centre of its cell, clamped to the limits', () => {
    expect(decodeScore(1791875804419201)).toEqual([
      Number('-73.94549578428268433'),
      Number('40.74753227099792952'),
    ]);
    expect(decodeScore(13510798882111488)).toEqual([180, 85.05112878]);
    // Scores that were never positions decode too, as C's (uint64_t) conversion reads them.
    expect(decodeScore(-1)).toEqual([180, 85.05112878]);
    expect(decodeScore(1.5)).toEqual([Number('-179.99999731779098511'), Number('-85.05112497791824921')]);
    expect(decodeScore(Number.POSITIVE_INFINITY)).toEqual([
      Number('-179.99999731779098511'),
      Number('-85.05112751263942528'),
    ]);
    expect(decodeScore(Number.NEGATIVE_INFINITY)).toEqual([180, Number('-85.05112751263942528')]);
  });

  it('prints the standard 11-character geohash', () => {
    expect(standardGeohash(...decodeScore(Number(scoreText(-5.6, 42.6))))).toBe('ezs42e44yx0');
    expect(standardGeohash(...decodeScore(Number(scoreText(180, 85.05112878))))).toBe('bp05b5048p0');
  });

  it('measures great-circle distances in meters', () => {
    expect(distance(13.361389, 38.115556, 15.087269, 37.502669)).toBeCloseTo(166274.258, 3);
    expect(distance(10, 20, 10, 25)).toBe(distance(10, 25, 10, 20));
    expect(distance(0, 0, 0, 0)).toBe(0);
  });
});

describe('search cells', () => {
  // Expected cells are Redis's geohashCalculateAreasByShapeWGS84, compiled from its source:
  // the centre, then north, south, east, west, north-east, north-west, south-east, south-west.
  const cells = (s: GeoShape) => searchCells(s).map((c) => `${c.bits}/${c.step}`);

  it('picks the step and the neighbours Redis picks', () => {
    expect(cells(shape({ lon: 15, lat: 37, conversion: 1000, radius: 200 }))).toEqual(
      '3161/6 3164/6 0/0 3163/6 0/0 3166/6 0/0 0/0 0/0'.split(' '),
    );
    expect(
      cells(shape({ type: 'box', lon: 179, lat: 37, conversion: 1000, width: 400, height: 400 })),
    ).toEqual('958/5 959/5 0/0 276/5 0/0 277/5 0/0 0/0 0/0'.split(' '));
    expect(cells(shape({ lon: 0, lat: 85.05112878, conversion: 1000, radius: 5000 }))).toEqual(
      '6/1 3/1 3/1 4/1 4/1 1/1 1/1 1/1 1/1'.split(' '),
    );
    expect(cells(shape({ radius: Number.POSITIVE_INFINITY }))).toEqual(
      '3/1 2/1 2/1 1/1 1/1 0/1 0/1 0/1 0/1'.split(' '),
    );
    expect(cells(shape({ lon: -180, lat: -85.05112878 }))).toEqual(
      '0/25 0/0 375299968947541/25 0/0 750599937895082/25 0/0 0/0 0/0 1125899906842623/25'.split(' '),
    );
  });

  it('reads each distinct cell once, as score ranges', () => {
    // An infinite radius at step 1: four distinct cells of the 2x2 world.
    expect(searchRanges(shape({ radius: Number.POSITIVE_INFINITY }))).toEqual([
      [3 * 2 ** 50, 4 * 2 ** 50],
      [2 * 2 ** 50, 3 * 2 ** 50],
      [1 * 2 ** 50, 2 * 2 ** 50],
      [0, 2 ** 50],
    ]);
    expect(estimateSteps(0, 0)).toBe(26);
    expect(estimateSteps(200000, 0)).toBe(6);
    expect(estimateSteps(200000, 81)).toBe(4);
  });
});
