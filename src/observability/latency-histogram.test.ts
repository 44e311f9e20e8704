import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('answers percentiles within one bucket (12.5%)', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 10_000; us++) h.record(us, 1);
    for (const [p, exact] of [
      [50, 5000],
      [99, 9900],
      [99.9, 9990],
    ] as const) {
      const v = h.percentile(p);
      expect(v).toBeGreaterThanOrEqual(exact);
      expect(v).toBeLessThanOrEqual(exact * 1.125 + 1);
    }
  });

  it('weights samples and handles sub-microsecond and empty cases', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(50)).toBe(0);
    h.record(0.2, 16);
    h.record(1000, 1);
    expect(h.total).toBe(17);
    expect(h.percentile(50)).toBe(1);
    expect(h.percentile(100)).toBeGreaterThanOrEqual(1000);
    h.reset();
    expect(h.total).toBe(0);
  });
});
