/**
 * LATENCY (Redis's latency.c): the latency monitor's events (LATEST, HISTORY, RESET, GRAPH,
 * DOCTOR; see observability/latency-monitor.ts) and the per-command latency histograms
 * (HISTOGRAM), which are the dispatcher's own timings (INFO latencystats reads them too).
 */
import { ErrorReply } from '../../errors.js';
import { latencyDoctor, latencyGraph } from '../../observability/latency-monitor.js';
import type { CommandContext } from '../context.js';
import type { TableEntry } from '../registry.js';
import { bulk, MapReply, type Reply, VerbatimReply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';
import { helpReply } from './redis-compat.js';

function history(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = ctx.server.latency.events.get(argv[2].toString('utf8'));
  if (s === undefined) return [];
  return s.samples.map((x) => [x.time, x.latency]);
}

function latest(ctx: CommandContext): Reply {
  const out: Reply[] = [];
  for (const [event, s] of ctx.server.latency.events) {
    const last = s.samples[s.samples.length - 1];
    out.push([bulk(event), last?.time ?? 0, last?.latency ?? 0, s.max]);
  }
  return out;
}

function reset(ctx: CommandContext, argv: Buffer[]): Reply {
  const m = ctx.server.latency;
  if (argv.length === 2) return m.reset(null);
  let n = 0;
  for (let i = 2; i < argv.length; i++) n += m.reset(argv[i].toString('utf8'));
  return n;
}

function graph(ctx: CommandContext, argv: Buffer[]): Reply {
  const event = argv[2].toString('utf8');
  const s = ctx.server.latency.events.get(event);
  if (s === undefined) return new ErrorReply('ERR', `ERR No samples available for event '${event}'`);
  return new VerbatimReply('txt', latencyGraph(event, s, ctx.server.clock.now()));
}

function doctor(ctx: CommandContext): Reply {
  return new VerbatimReply(
    'txt',
    latencyDoctor(ctx.server.latency, ctx.server.config.int('latency-monitor-threshold')),
  );
}

/** One command's latency distribution: calls, then the cumulative count at each power of two. */
function cdf(entry: TableEntry): Reply {
  const buckets = entry.stats.hist?.cumulativeLog2() ?? [];
  return new MapReply([
    [bulk('calls'), entry.stats.calls],
    [bulk('histogram_usec'), new MapReply(buckets.map(([us, n]) => [us, n]))],
  ]);
}

function hasData(e: TableEntry): boolean {
  return e.stats.calls > 0 && e.stats.hist !== null && e.stats.hist.total > 0;
}

/** LATENCY HISTOGRAM [command ...]: unknown names are skipped; a container brings its subcommands. */
function histogram(ctx: CommandContext, argv: Buffer[]): Reply {
  const out: Array<[Reply, Reply]> = [];
  const add = (e: TableEntry) => {
    if (hasData(e)) out.push([bulk(e.fullName), cdf(e)]);
  };
  const entries = ctx.server.table.entries;
  if (argv.length === 2) {
    for (const e of entries.values()) {
      add(e);
      for (const s of e.subs?.values() ?? []) add(s);
    }
    return new MapReply(out);
  }
  for (let i = 2; i < argv.length; i++) {
    const [base, sub, more] = argv[i].toString('utf8').toLowerCase().split('|');
    const e = entries.get(base);
    if (e === undefined || more !== undefined) continue;
    if (sub !== undefined) {
      const s = e.subs?.get(sub);
      if (s !== undefined) add(s);
      continue;
    }
    add(e);
    for (const s of e.subs?.values() ?? []) add(s);
  }
  return new MapReply(out);
}

const HELP_LINES = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

const SRV = { group: 'server' } as const;
const ADMIN: CommandFlag[] = ['admin', 'no-script', 'loading', 'stale'];

const sub = (
  name: string,
  arity: number,
  summary: string,
  handler: CommandSpec['handler'],
  extra: Partial<CommandSpec> = {},
): CommandSpec =>
  command({
    ...SRV,
    name,
    arity,
    flags: ADMIN,
    summary,
    since: '2.8.13',
    complexity: 'O(1)',
    syntax: '',
    handler,
    ...extra,
  });

export const latencyCommands: readonly CommandSpec[] = [
  command({
    ...SRV,
    name: 'latency',
    arity: -2,
    summary: 'A container for latency diagnostics commands',
    since: '2.8.13',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('doctor', 2, 'Return a human readable latency analysis report.', doctor),
      sub('graph', 3, 'Return a latency graph for the event.', graph, { syntax: 'event' }),
      sub(
        'help',
        2,
        'Show helpful text about the different subcommands.',
        (_ctx, argv) => helpReply(argv[0], HELP_LINES),
        { flags: ['loading', 'stale'] },
      ),
      sub(
        'histogram',
        -2,
        'Return the cumulative distribution of latencies of a subset of commands or all.',
        histogram,
        {
          since: '7.0.0',
          complexity: 'O(N) where N is the number of commands with latency information being retrieved.',
          syntax: '[command [command ...]]',
        },
      ),
      sub('history', 3, 'Return timestamp-latency samples for the event.', history, { syntax: 'event' }),
      sub('latest', 2, 'Return the latest latency samples for all events.', latest),
      sub('reset', -2, 'Reset latency data for one or more events.', reset, {
        syntax: '[event [event ...]]',
      }),
    ],
  }),
];
