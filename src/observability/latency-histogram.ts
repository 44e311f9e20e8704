/**
 * A small log-linear histogram of command latencies in microseconds (HdrHistogram's idea with
 * 3 significant bits: 8 buckets per power of two, so any percentile is within 12.5%), for
 * INFO latencystats. Recording is a few arithmetic operations; counts are weighted because the
 * dispatcher times busy commands 1 call in 16.
 */
const SUB_BITS = 3;
const SUB = 1 << SUB_BITS;
/** Powers of two covered: 1 us .. 2^40 us (12 days). */
const POWERS = 41;

export class LatencyHistogram {
  private readonly counts = new Float64Array(POWERS * SUB + 1);
  total = 0;

  record(us: number, weight: number): void {
    this.counts[bucketOf(us)] += weight;
    this.total += weight;
  }

  /** The value at percentile p (0..100): the upper edge of the bucket holding it. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const target = (p / 100) * this.total;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= target && this.counts[i] > 0) return upperEdge(i);
    }
    return upperEdge(this.counts.length - 1);
  }

  /**
   * Cumulative counts at each power of two microseconds (LATENCY HISTOGRAM's histogram_usec):
   * [bound, calls that took less], only where the count grows, as Redis lists them.
   */
  cumulativeLog2(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let seen = this.counts[0];
    let prev = 0;
    for (let e = 0; e < POWERS; e++) {
      if (seen > prev) out.push([2 ** e, Math.round(seen)]);
      prev = seen;
      for (let s = 0; s < SUB; s++) seen += this.counts[1 + e * SUB + s];
    }
    if (seen > prev) out.push([2 ** POWERS, Math.round(seen)]);
    return out;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

function bucketOf(us: number): number {
  if (!(us >= 1)) return 0;
  const e = Math.min(Math.floor(Math.log2(us)), POWERS - 1);
  const base = 2 ** e;
  const sub = Math.min(Math.floor(((us - base) / base) * SUB), SUB - 1);
  return 1 + e * SUB + sub;
}

function upperEdge(bucket: number): number {
  if (bucket === 0) return 1;
  const e = Math.floor((bucket - 1) / SUB);
  const sub = (bucket - 1) % SUB;
  return 2 ** e * (1 + (sub + 1) / SUB);
}
