import { describe, expect, it } from 'vitest';
import { createTestServer } from '../server/testing.js';
import { createMetrics, metricsFor } from './metrics.js';

describe('metrics', () => {
  it('counts commands per door through the observer and reads the rest at scrape time', async () => {
    const t = createTestServer();
    const m = createMetrics(t.server, { processMetrics: false });
    t.server.dispatcher.observer = m.observer;
    const resp = t.client();
    const http = t.client({ door: 'http' });
    await t.run(resp, 'SET', 'a', '1');
    await t.run(http, 'SET', 'b', '2');
    await t.run(http, 'GET', 'b');
    await t.run(http, 'INCR', 'nope', 'extra'); // arity: refused before the handler, not observed
    await t.run(resp, 'INCR', 'a');
    await t.run(resp, 'SET', 'a', 'x');
    await t.run(resp, 'INCR', 'a'); // fails in the handler
    const text = await m.registry.metrics();
    expect(text).toContain('cairn_commands_total{command="set",door="resp"} 2');
    expect(text).toContain('cairn_commands_total{command="set",door="http"} 1');
    expect(text).toContain('cairn_command_errors_total{command="incr",door="resp"} 1');
    expect(text).toContain('cairn_command_duration_seconds_count{command="get",door="http"} 1');
    expect(text).toContain('cairn_command_duration_seconds_bucket{command="incr",door="resp",le="+Inf"} 2');
    expect(text).toContain('cairn_keys{db="0"} 2');
    expect(text).toContain('cairn_connected_clients{door="resp"} 1');
    expect(text).toContain('cairn_connected_clients{door="http"} 1');
    expect(text).not.toContain('process_resident_memory_bytes');
    // Buckets are cumulative.
    const buckets = [
      ...text.matchAll(
        /^cairn_command_duration_seconds_bucket\{command="set",door="resp",le="([^"]+)"\} (\d+)$/gm,
      ),
    ];
    const counts = buckets.map((b) => Number(b[2]));
    expect(counts.length).toBeGreaterThan(5);
    expect(counts).toEqual([...counts].sort((x, y) => x - y));
    expect(counts[counts.length - 1]).toBe(2);
    t.close();
  });

  it('is one set per server', () => {
    const t = createTestServer();
    expect(metricsFor(t.server)).toBe(metricsFor(t.server));
    t.close();
  });
});
