import { describe, expect, it } from 'vitest';
import { LATENCY_TS_LEN, LatencyMonitor, latencyDoctor, latencyGraph } from './latency-monitor.js';

const T0 = 1_700_000_000_000;

describe('LatencyMonitor', () => {
  it('records spikes at or over the threshold, one sample per second keeping the largest', () => {
    const m = new LatencyMonitor();
    m.addIfNeeded('command', 10, 0, T0);
    m.addIfNeeded('command', 9, 10, T0);
    expect(m.events.size).toBe(0);
    m.addIfNeeded('command', 10, 10, T0);
    m.addIfNeeded('command', 30, 10, T0 + 200);
    m.addIfNeeded('command', 20, 10, T0 + 1000);
    const s = m.events.get('command')!;
    expect(s.samples).toEqual([
      { time: T0 / 1000, latency: 30 },
      { time: T0 / 1000 + 1, latency: 20 },
    ]);
    expect(s.max).toBe(30);
  });

  it('keeps the last 160 samples and resets one event or all', () => {
    const m = new LatencyMonitor();
    for (let i = 0; i < LATENCY_TS_LEN + 5; i++) m.addIfNeeded('a', 100 + i, 1, T0 + i * 1000);
    m.addIfNeeded('b', 5, 1, T0);
    expect(m.events.get('a')!.samples).toHaveLength(LATENCY_TS_LEN);
    expect(m.events.get('a')!.samples[0].latency).toBe(105);
    expect(m.reset('nosuch')).toBe(0);
    expect(m.reset('b')).toBe(1);
    expect(m.reset(null)).toBe(1);
    expect(m.events.size).toBe(0);
  });

  it('draws a graph and writes a report', () => {
    const m = new LatencyMonitor();
    expect(latencyDoctor(m, 0)).toContain('Latency monitoring is disabled');
    expect(latencyDoctor(m, 10)).toContain('no latency spike was observed');
    m.addIfNeeded('command', 300, 100, T0);
    m.addIfNeeded('command', 500, 100, T0 + 2000);
    const g = latencyGraph('command', m.events.get('command')!, T0 + 5000).split('\n');
    expect(g[0]).toBe('command - high 500 ms, low 300 ms (all time high 500 ms)');
    expect(g[1]).toBe('-'.repeat(80));
    expect(g.slice(2, 6)).toEqual([' #', ' #', ' #', '##']);
    expect(g.slice(6, 8)).toEqual(['53', 'ss']);
    expect(latencyDoctor(m, 100)).toContain('1. command: 2 latency spikes (average 400ms');
  });
});
