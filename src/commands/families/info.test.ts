import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { VerbatimReply } from '../reply.js';
import { bytesToHuman } from './info-sections.js';

let t: TestServer;
afterEach(() => t?.close());

async function info(...sections: string[]): Promise<string> {
  const r = await t.run(t.client(), 'INFO', ...sections);
  expect(r).toBeInstanceOf(VerbatimReply);
  expect((r as VerbatimReply).format).toBe('txt');
  return (r as VerbatimReply).text;
}

/** Section titles, in order. */
const titles = (s: string) => [...s.matchAll(/^# (.+)\r$/gm)].map((m) => m[1]);

/** field -> value over all sections. */
function fields(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of s.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

describe('INFO', () => {
  it("prints the default sections in Redis's order and format", async () => {
    t = createTestServer();
    const s = await info();
    expect(titles(s)).toEqual([
      'Server',
      'Clients',
      'Memory',
      'Persistence',
      'Stats',
      'Replication',
      'CPU',
      'Modules',
      'Errorstats',
      'Cluster',
      'Keyspace',
    ]);
    // CRLF lines, a blank line between sections, a final CRLF.
    expect(s).toMatch(/^# Server\r\nredis_version:7\.0\.15\r\n/);
    expect(s).toContain('\r\n\r\n# Clients\r\n');
    expect(s.endsWith('\r\n')).toBe(true);
    expect(s).not.toMatch(/[^\r]\n/);
    const f = fields(s);
    expect(f).toMatchObject({
      redis_mode: 'standalone',
      cairn_version: t.server.version,
      run_id: t.server.runId,
      process_id: String(process.pid),
      maxmemory_policy: 'noeviction',
      loading: '0',
      role: 'master',
      cluster_enabled: '0',
    });
    expect(Number(f.used_memory)).toBeGreaterThan(0);
    expect(f.used_memory_human).toMatch(/^\d+(\.\d\d[KMGTP])?B?$/);
  });

  it('selects sections, in fixed order, case-insensitively; unknown names add nothing', async () => {
    t = createTestServer();
    expect(titles(await info('keyspace', 'CPU'))).toEqual(['CPU', 'Keyspace']);
    expect(await info('nosuch')).toBe('');
    expect(titles(await info('commandstats'))).toEqual(['Commandstats']);
    const all = titles(await info('all'));
    expect(all).toContain('Commandstats');
    expect(all).toContain('Errorstats');
    expect(titles(await info('everything'))).toEqual(all);
    expect(titles(await info('default', 'commandstats'))).toHaveLength(12);
  });

  it('counts clients, commands, hits and misses, and the keyspace', async () => {
    t = createTestServer();
    const c = t.client();
    t.client();
    await t.run(c, 'SET', 'a', '1');
    await t.run(c, 'SET', 'b', '1', 'PX', '100000');
    await t.run(c, 'SELECT', '3');
    await t.run(c, 'SET', 'c', '1');
    t.server.stats.keyspaceHits = 7;
    t.server.stats.keyspaceMisses = 2;
    const f = fields(await info('clients', 'stats', 'keyspace', 'persistence'));
    expect(f.connected_clients).toBe('3');
    expect(f.keyspace_hits).toBe('7');
    expect(f.keyspace_misses).toBe('2');
    // Four commands, plus this INFO: the dispatcher counts a command before it runs.
    expect(f.total_commands_processed).toBe('5');
    expect(f.rdb_changes_since_last_save).toBe('3');
    expect(f.db0).toBe('keys=2,expires=1,avg_ttl=0');
    expect(f.db3).toBe('keys=1,expires=0,avg_ttl=0');
    expect(f.db1).toBeUndefined();
  });

  it('reports per-command and per-error statistics', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'GET', 'x');
    await t.run(c, 'GET', 'x');
    await t.run(c, 'CLIENT', 'ID');
    await t.run(c, 'NOSUCH');
    await t.run(c, 'GET');
    const f = fields(await info('commandstats', 'errorstats'));
    expect(f.cmdstat_get).toMatch(
      /^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/,
    );
    expect(f['cmdstat_client|id']).toMatch(/^calls=1,/);
    expect(f.cmdstat_set).toBeUndefined();
    expect(f.errorstat_ERR).toBe('count=2');
    expect(fields(await info('stats')).total_error_replies).toBe('2');
  });

  it('computes instantaneous ops/sec from the clock between samples', async () => {
    t = createTestServer();
    const c = t.client();
    await info('stats');
    for (let i = 0; i < 49; i++) await t.run(c, 'PING');
    t.clock.advance(500);
    // 49 PINGs and the previous INFO in half a second.
    expect(fields(await info('stats')).instantaneous_ops_per_sec).toBe('100');
  });

  it('includes sections registered by other layers, and merges same-named ones', async () => {
    t = createTestServer();
    t.server.infoSections.set('snapshots', () => [['snapshots_taken', 3]]);
    t.server.infoSections.set('persistence', () => [
      ['rdb_bgsave_in_progress', 1],
      ['snapshot_store', 'local'],
    ]);
    const s = await info();
    expect(titles(s).at(-1)).toBe('Snapshots');
    const f = fields(s);
    expect(f.snapshots_taken).toBe('3');
    expect(f.rdb_bgsave_in_progress).toBe('1');
    expect(f.snapshot_store).toBe('local');
    expect(titles(await info('snapshots'))).toEqual(['Snapshots']);
  });

  it('formats sizes as Redis does', () => {
    expect(bytesToHuman(0)).toBe('0B');
    expect(bytesToHuman(1023)).toBe('1023B');
    expect(bytesToHuman(1536)).toBe('1.50K');
    expect(bytesToHuman(1048576)).toBe('1.00M');
    expect(bytesToHuman(3 * 1024 ** 3)).toBe('3.00G');
  });
});
