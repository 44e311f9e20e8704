/**
 * Which score ranges a geo search reads (geohash_helper.c's geohashCalculateAreasByShapeWGS84
 * and geo.c's membersOfAllNeighbors), reproduced step for step: Redis's answers on the edges
 * (a point just outside every visited box is not found even when inside the shape) follow
 * from exactly these boxes.
 *
 * 1. A step (bits per coordinate) whose cells are about as large as the search radius
 *    (estimateSteps), one coarser when the centre's cell and its neighbours would not cover the
 *    shape's bounding box.
 * 2. The centre's cell and its 8 neighbours at that step; neighbours on a side the bounding box
 *    does not reach are dropped.
 * 3. Each remaining cell is the score range [cell << (52 - 2*step), (cell + 1) << ...).
 */

import { cosCR } from '../../util/crmath.js';
import {
  decodeArea,
  degRad,
  EARTH_RADIUS_IN_METERS,
  encodeWGS84,
  GEO_STEP_MAX,
  type HashBits,
  radDeg,
} from './geohash.js';

const MERCATOR_MAX = 20037726.37;
const U64 = 0xffffffffffffffffn;
const EVEN_BITS = 0x5555555555555555n;
const ODD_BITS = 0xaaaaaaaaaaaaaaaan;

/** A search shape: a circle of `radius`, or a `width` x `height` box, in `conversion` meters per unit. */
export interface GeoShape {
  readonly type: 'circle' | 'box';
  /** Centre. */
  readonly lon: number;
  readonly lat: number;
  /** Meters per unit (m 1, km 1000, ft 0.3048, mi 1609.34). */
  readonly conversion: number;
  readonly radius: number;
  readonly width: number;
  readonly height: number;
}

/** geohashEstimateStepsByRadius: the step whose cells are about the radius, coarser near the poles. */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // make sure the range is included in most of the base cases
  // Wider range towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/**
 * geohashBoundingBox: [min lon, min lat, max lon, max lat] around the shape. The longitude
 * span is measured on the parallel nearer the equator edge of the box (its wider side).
 */
export function boundingBox(s: GeoShape): [number, number, number, number] {
  const height = s.conversion * (s.type === 'circle' ? s.radius : s.height / 2);
  const width = s.conversion * (s.type === 'circle' ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cosCR(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cosCR(degRad(s.lat - latDelta)));
  const southern = s.lat < 0;
  return [
    southern ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop,
    s.lat - latDelta,
    southern ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop,
    s.lat + latDelta,
  ];
}

/** geohash_move_x / geohash_move_y: the next cell east/west (odd bits) or north/south (even bits). */
function move(h: HashBits, d: number, lonAxis: boolean): HashBits {
  if (d === 0) return h;
  const shift = BigInt(64 - h.step * 2);
  let moving = h.bits & (lonAxis ? ODD_BITS : EVEN_BITS);
  const other = h.bits & (lonAxis ? EVEN_BITS : ODD_BITS);
  // Fill the other axis's bits with ones so the increment carries across them.
  const zz = (lonAxis ? EVEN_BITS : ODD_BITS) >> shift;
  if (d > 0) moving = (moving + (zz + 1n)) & U64;
  else moving = ((moving | zz) - (zz + 1n)) & U64;
  moving &= (lonAxis ? ODD_BITS : EVEN_BITS) >> shift;
  return { bits: moving | other, step: h.step };
}

function neighbour(h: HashBits, dx: number, dy: number): HashBits {
  return move(move(h, dx, true), dy, false);
}

/** A dropped neighbour (GZERO): bits and step 0. */
const ZERO: HashBits = { bits: 0n, step: 0 };

/**
 * The cells to search, in Redis's order: the centre, then north, south, east, west,
 * north-east, north-west, south-east, south-west; dropped ones are ZERO.
 */
export function searchCells(s: GeoShape): HashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  const radiusMeters =
    (s.type === 'circle'
      ? s.radius
      : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))) * s.conversion;
  let steps = estimateSteps(radiusMeters, s.lat);
  let hash = encodeWGS84(s.lon, s.lat, steps) as HashBits;
  let n = allNeighbours(hash);
  let area = decodeArea(hash);
  // The estimated step may leave the bounding box beyond a neighbour near an edge: go coarser.
  const decrease =
    decodeArea(n[0]).latMax < maxLat ||
    decodeArea(n[1]).latMin > minLat ||
    decodeArea(n[2]).lonMax < maxLon ||
    decodeArea(n[3]).lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encodeWGS84(s.lon, s.lat, steps) as HashBits;
    n = allNeighbours(hash);
    area = decodeArea(hash);
  }
  // n: north, south, east, west, north-east, north-west, south-east, south-west.
  if (steps >= 2) {
    if (area.latMin < minLat) n[1] = n[7] = n[6] = ZERO;
    if (area.latMax > maxLat) n[0] = n[4] = n[5] = ZERO;
    if (area.lonMin < minLon) n[3] = n[7] = n[5] = ZERO;
    if (area.lonMax > maxLon) n[2] = n[6] = n[4] = ZERO;
  }
  return [hash, ...n];
}

function allNeighbours(h: HashBits): HashBits[] {
  return [
    neighbour(h, 0, 1),
    neighbour(h, 0, -1),
    neighbour(h, 1, 0),
    neighbour(h, -1, 0),
    neighbour(h, 1, 1),
    neighbour(h, -1, 1),
    neighbour(h, 1, -1),
    neighbour(h, -1, -1),
  ];
}

/** geohashAlign52Bits as the double geoGetPointsInRange receives. */
function align52(h: HashBits): number {
  return Number(BigInt.asUintN(64, h.bits << BigInt(GEO_STEP_MAX * 2 - h.step * 2)));
}

/**
 * The score ranges [min, max) to read, in order (membersOfAllNeighbors): dropped cells are
 * skipped, and so is a cell equal to the last one read (huge radii make neighbours coincide).
 * As in Redis, the comparison starts only once a cell other than the centre was read.
 */
export function searchRanges(s: GeoShape): Array<[number, number]> {
  const cells = searchCells(s);
  const out: Array<[number, number]> = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c.bits === 0n && c.step === 0) continue;
    if (last !== 0 && c.bits === cells[last].bits && c.step === cells[last].step) continue;
    out.push([align52(c), align52({ bits: BigInt.asUintN(64, c.bits + 1n), step: c.step })]);
    last = i;
  }
  return out;
}
