/** The soak's summary: the RSS verdict and the markdown report. */
import { markdownTable, median } from '../bench/lib/report.mjs';
import { START_NODE_ARGS } from '../bench/lib/servers.mjs';
import { mb } from './monitor.mjs';
import { DOORS } from './stats.mjs';

/**
 * RSS must not grow without bound. Until the dataset first reaches maxmemory (the first
 * eviction) RSS grows with it, and the heap and JIT settle: that, or the first quarter of the
 * run if longer, is warm-up. From then on eviction pins the dataset at maxmemory, so RSS should
 * plateau. The rest of the run (the steady window) is split in halves, and the run fails when
 * the second half's median is both more than RSS_GROWTH_MAX and more than RSS_GROWTH_ABS_BYTES
 * above the first half's: the relative bound ignores GC sawtooth and snapshot buffers (tens of
 * MB), the absolute one keeps a small process from failing on a few MB. Over a 10-minute run
 * (half midpoints about 4 minutes apart) that catches a leak of about 16 MB a minute. RSS above
 * RSS_CAP_BYTES at any time also fails: for a 64 MB dataset that is far past any reasonable
 * overhead.
 */
export const RSS_GROWTH_MAX = 0.25;
export const RSS_GROWTH_ABS_BYTES = 64 * 2 ** 20;
export const RSS_CAP_BYTES = 1024 * 2 ** 20;
/** Fewer steady samples than this: no verdict on growth (the run was too short). */
const MIN_STEADY_SAMPLES = 20;

export function rssVerdict(samples, evictionStartMs) {
  const bytes = samples.map((s) => s.bytes);
  const n = bytes.length;
  const out = { min: Math.min(...bytes), median: median(bytes), max: Math.max(...bytes), n };
  const capped = out.max > RSS_CAP_BYTES;
  const cap = `max ${mb(out.max)} MB (cap ${mb(RSS_CAP_BYTES)} MB)`;
  const runMs = n === 0 ? 0 : samples[n - 1].t;
  out.steadyFromMs = Math.max(evictionStartMs ?? runMs, runMs / 4);
  const steady = samples.filter((s) => s.t >= out.steadyFromMs).map((s) => s.bytes);
  if (steady.length < MIN_STEADY_SAMPLES) {
    return {
      ...out,
      ok: !capped,
      detail: `${cap}; growth not judged: only ${steady.length} samples after warm-up`,
    };
  }
  const half = Math.floor(steady.length / 2);
  out.first = median(steady.slice(0, half));
  out.second = median(steady.slice(half));
  out.growth = out.second / out.first - 1;
  const grew = out.growth > RSS_GROWTH_MAX && out.second - out.first > RSS_GROWTH_ABS_BYTES;
  const detail =
    `steady from ${(out.steadyFromMs / 1000).toFixed(0)} s: median ${mb(out.first)} MB then ${mb(out.second)} MB ` +
    `(${pct(out.growth)}; fails above +${pct(RSS_GROWTH_MAX)} and +${mb(RSS_GROWTH_ABS_BYTES)} MB); ${cap}`;
  return { ...out, ok: !grew && !capped, detail };
}

const comparison = (c) =>
  `${c.keys}; ${c.ttl.before} (${c.ttl.evicted}) / ${c.ttl.after} / ${c.ttl.window}; ${c.missing}, ${c.wrong}` +
  (c.strangers > 0 ? `, ${c.strangers} unknown` : '');

/** Text safe inside a markdown table cell. */
const cell = (text) =>
  String(text)
    .replace(/\s*\n\s*/g, ' ')
    .replaceAll('|', '\\|');
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const cpuShare = (secs, wall) => (secs === null ? '?' : `${Math.round((secs / wall) * 100)}%`);
const ms = (x) => (Number.isNaN(x) ? '-' : x.toFixed(2));

export function markdownReport(r) {
  const lines = [];
  const failed = r.checks.filter((c) => !c.ok);
  const mode = r.secure ? ' (secure: TLS and ACL on every door)' : '';
  lines.push(`# Cairn soak${mode}: ${failed.length === 0 ? 'PASS' : `FAIL (${failed.length} checks)`}`, '');
  lines.push(
    `${r.minutes} minutes of load (${r.loadSeconds.toFixed(0)} s measured), seed ${r.seed}, ${r.owners.length} writers ` +
      `at fixed concurrency (one request or batch in flight each).`,
    '',
  );
  if (r.secure) {
    const a = r.authErrors;
    lines.push(
      `Secure mode: every door used TLS and every client logged in. ${r.secure} ` +
        `Access-control errors at the clients (NOPERM, WRONGPASS, NOAUTH, UNAUTHENTICATED, PERMISSION_DENIED, 401, 403): ` +
        `${a.total}, ${a.unexpected} unexpected.`,
      '',
    );
  }
  lines.push(
    `Server: \`node ${[...START_NODE_ARGS, 'dist/cli/main.js', ...r.serverArgs].join(' ')}\`.`,
    `Machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ` +
      `load average at the end ${r.machine.loadAverage}. CPU during the load: server ${cpuShare(r.cpu.server, r.loadSeconds)}, ` +
      `load generator ${cpuShare(r.cpu.loadGenerator, r.loadSeconds)} of one core.`,
    '',
    '## Checks',
    '',
    markdownTable(
      ['check', 'result', 'detail'],
      r.checks.map((c) => [c.name, c.ok ? 'pass' : '**FAIL**', cell(c.detail)]),
    ),
    '',
    '## Load per door',
    '',
  );
  const secs = r.loadSeconds;
  lines.push(
    markdownTable(
      [
        'door',
        'writers',
        'commands',
        'round trips',
        'commands/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'killed clients',
        'polite clients',
        'expected errors',
        'unexpected errors',
      ],
      DOORS.map((d) => {
        const s = r.stats.doors[d];
        const l = r.stats.latency(d);
        const who = r.owners
          .filter((o) => o.door === d)
          .map((o) => `${o.name} (${o.adapter.name})`)
          .join(', ');
        return [
          d,
          who,
          s.commands,
          s.roundTrips,
          Math.round(s.commands / secs),
          ms(l.p50),
          ms(l.p99),
          ms(l.max),
          s.vanished,
          s.polite,
          r.stats.expectedCount(d),
          r.stats.unexpectedOf(d),
        ];
      }),
    ),
    '',
    'Latency is per round trip (a pipeline or transaction is one), measured by the load generator on the same 2-core machine.',
    '',
    '## Errors by kind',
    '',
  );
  const errs = [...r.stats.errors.values()].sort((a, b) => b.count - a.count);
  lines.push(
    errs.length === 0
      ? 'None.'
      : markdownTable(
          ['door', 'kind', 'expected', 'count', 'example'],
          errs.map((e) => [
            e.door,
            e.kind,
            e.expected ? 'yes' : '**no**',
            e.count,
            cell((e.samples[0] ?? '').slice(0, 120)),
          ]),
        ),
    '',
    '## Memory',
    '',
  );
  const v = r.rss;
  const i = r.info;
  lines.push(
    markdownTable(
      ['figure', 'value'],
      [
        [
          'RSS min / median / max (MB)',
          `${mb(v.min)} / ${mb(v.median)} / ${mb(v.max)} (${v.n} samples, 1/s)`,
        ],
        [
          'RSS steady window: first / second half median (MB)',
          v.first === undefined
            ? '-'
            : `${mb(v.first)} / ${mb(v.second)} (${pct(v.growth)}), from ${(v.steadyFromMs / 1000).toFixed(0)} s`,
        ],
        ['maxmemory (MB)', mb(Number(i.maxmemory))],
        [
          'dataset / used_memory at the end (MB)',
          `${mb(Number(i.used_memory_dataset))} / ${mb(Number(i.used_memory))}`,
        ],
        ['used_memory_peak (MB)', mb(Number(i.used_memory_peak))],
        ['JS heap used / total at the end (MB)', `${mb(Number(i.heap_used))} / ${mb(Number(i.heap_total))}`],
      ],
    ),
    '',
    '## Keyspace and persistence',
    '',
  );
  const snaps = r.snapshots;
  const f = r.figures;
  const tl = r.ttlDuringLoad;
  const ttlCells = (t) =>
    t === undefined
      ? '-'
      : `${t.before} (${t.before - t.missingBefore} present, ${t.evicted} evicted${t.unverifiable ? `, ${t.unverifiable} unverifiable` : ''}) / ${t.after} / ${t.window}`;
  const rf = r.restart?.figures;
  const k = r.crash?.figures;
  const kr = k?.restart;
  const w = r.witness;
  lines.push(
    markdownTable(
      ['figure', 'value'],
      [
        ['evicted_keys / expired_keys', `${i.evicted_keys} / ${i.expired_keys}`],
        ['keyspace hits / misses', `${i.keyspace_hits} / ${i.keyspace_misses}`],
        ['connections received', i.total_connections_received],
        ['keys at the end (scanned)', f?.scanned ?? '-'],
        ['keys read back at the end (every key the model knows)', f?.readBack ?? '-'],
        [
          'keys without TTL present / read back',
          f === undefined ? '-' : `${f.persistentPresent} / ${f.persistent}`,
        ],
        ['keys with TTL present / read back', f === undefined ? '-' : `${f.volatilePresent} / ${f.volatile}`],
        [
          `TTL reads during the load: before deadline (present, evicted) / after / in the window (+-${f?.marginMs ?? '?'} ms)`,
          ttlCells(tl),
        ],
        [
          'TTL keys at the final read-back: before deadline (present, evicted) / after / in the window',
          ttlCells(f?.ttl),
        ],
        [
          'writes acknowledged / uncertain (client vanished)',
          `${r.model.acknowledgedWrites} / ${r.model.uncertainWrites}`,
        ],
        ['keys still uncertain at the end (value one of several)', f?.uncertainAtEnd ?? '-'],
        ['reads checked against the model', r.model.checkedReads],
        [
          'snapshots during the run (count, median ms, max MB)',
          snaps.length === 0
            ? '0'
            : `${snaps.length}, ${median(snaps.map((s) => s.ms))} ms, ${mb(Math.max(...snaps.map((s) => s.bytes)))} MB`,
        ],
        [
          'restart after SHUTDOWN SAVE: ready after (ms), snapshot keys',
          r.restart === null ? '-' : `${Math.round(r.restart.readyMs)}, ${r.restart.loaded?.keys ?? '?'}`,
        ],
        [
          'restart after SHUTDOWN SAVE: keys compared; TTL before (evicted) / after / window; missing, wrong',
          rf === undefined ? '-' : comparison(rf),
        ],
        [
          'kill -9: load before it (s), writers paused around BGSAVE (ms)',
          k === undefined ? '-' : `${k.loadSeconds}, ${k.pausedMs ?? '?'}`,
        ],
        [
          'kill -9: snapshot keys, ms to save under load, writes acknowledged after BGSAVE (must be lost), SIGKILL after (ms)',
          k?.snapshot === undefined
            ? '-'
            : `${k.snapshot.keys}, ${k.snapshot.ms}, ${k.writesDuringSnapshot}, ${k.killAfterSaveMs}`,
        ],
        [
          'kill -9: restart ready after (ms), snapshot keys loaded',
          k?.readyMs === undefined ? '-' : `${Math.round(k.readyMs)}, ${k.loaded?.keys ?? '?'}`,
        ],
        [
          'kill -9: restart keys compared; TTL before (evicted) / after / window; missing, wrong',
          kr === undefined ? '-' : comparison(kr),
        ],
        [
          'eviction witness (Watch): events set / del / expire / evict; suspects evicted / lost / unverifiable',
          w === null || w === undefined
            ? '-'
            : `${w.events.set} / ${w.events.del} / ${w.events.expire} / ${w.events.evict}; ` +
              `${w.suspects.evicted} / ${w.suspects.lost} / ${w.suspects.unverifiable}`,
        ],
      ],
    ),
    '',
  );
  if (r.model.violations.length > 0) {
    lines.push(
      `## Model violations (${r.model.violationCount})`,
      '',
      ...r.model.violations.map((m) => `- ${m}`),
      '',
    );
  }
  const logLevels = Object.entries(r.log.byLevel)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  lines.push('## Server log', '', `Lines by pino level: ${logLevels}.`, '');
  if (r.log.notable.length > 0)
    lines.push('Warnings and errors (first ones):', '', '```', ...r.log.notable, '```', '');
  return lines.join('\n');
}
