/**
 * Differential steps for stream consumer groups: XGROUP (every subcommand), XREADGROUP (new
 * entries, NOACK, history), XACK, XPENDING (summary and extended, with IDLE), XCLAIM (IDLE,
 * TIME, RETRYCOUNT, FORCE, JUSTID, LASTID), XAUTOCLAIM, XINFO GROUPS and CONSUMERS.
 *
 * Idle thresholds are far from every idle time the run can produce, so filters decide alike
 * on both servers: entries delivered during the run are idle for less than the run lasts
 * (well under 300 s), XCLAIM ... IDLE sets 10^6 or 10^9 ms, TIME 1 sets an idle of ~now.
 */
import type { GenState, Step } from './collection-runner.js';
import { rangeEnd, someId, stateOf, step, streamKey } from './stream.js';

const CONSUMERS = ['alice', 'bob', 'carol'];
const MIN_IDLE: ReadonlyArray<readonly [number, string]> = [
  [6, '0'],
  [2, '300000'],
  [1, '500000000'],
  [1, '10000000000000'],
  [1, '-5'],
];

function group(g: GenState): string {
  return g.rng.weighted([
    [8, 'g1'],
    [3, 'g2'],
    [1, 'nog'],
  ]);
}

function consumer(g: GenState): string {
  return g.rng.pick(CONSUMERS);
}

function groupId(g: GenState, key: Buffer): string {
  return g.rng.weighted<() => string>([
    [3, () => '$'],
    [3, () => '0'],
    [4, () => someId(g, key)],
    [1, () => g.rng.pick(['-', '+', 'x'])],
  ])();
}

function xgroup(g: GenState): Step {
  const rng = g.rng;
  const key = streamKey(rng);
  const k = key.toString('latin1');
  const sub = rng.weighted([
    [8, 'CREATE'],
    [2, 'SETID'],
    [1, 'DESTROY'],
    [2, 'CREATECONSUMER'],
    [1, 'DELCONSUMER'],
    [1, 'HELP'],
  ]);
  let args: string[];
  switch (sub) {
    case 'CREATE':
      args = ['XGROUP', 'CREATE', k, group(g), groupId(g, key)];
      if (rng.chance(0.6)) args.push('MKSTREAM');
      if (rng.chance(0.3)) args.push('ENTRIESREAD', rng.pick(['0', '2', '-1', '-2', '100']));
      if (rng.chance(0.03)) args.push('BOGUS');
      break;
    case 'SETID':
      args = ['XGROUP', 'SETID', k, group(g), groupId(g, key)];
      if (rng.chance(0.3)) args.push('ENTRIESREAD', rng.pick(['0', '1', '-1', '-3', '7']));
      break;
    case 'DESTROY':
      args = ['XGROUP', 'DESTROY', k, group(g)];
      break;
    case 'CREATECONSUMER':
    case 'DELCONSUMER':
      args = ['XGROUP', sub, k, group(g), consumer(g)];
      break;
    default:
      args = ['XGROUP', 'HELP'];
  }
  return step(args, [key]);
}

function xreadgroup(g: GenState): Step {
  const rng = g.rng;
  const key = streamKey(rng);
  const args: string[] = ['XREADGROUP', 'GROUP', group(g), consumer(g)];
  if (rng.chance(0.5)) args.push('COUNT', rng.pick(['1', '2', '3', '0']));
  if (rng.chance(0.2)) args.push('NOACK');
  args.push('STREAMS', key.toString('latin1'));
  args.push(
    rng.weighted<() => string>([
      [8, () => '>'],
      [3, () => '0'],
      [2, () => someId(g, key)],
      [1, () => '$'],
    ])(),
  );
  return step(args, [key]);
}

function xack(g: GenState): Step {
  const key = streamKey(g.rng);
  const ids: string[] = [];
  for (let i = g.rng.range(1, 3); i > 0; i--) ids.push(g.rng.chance(0.03) ? 'x' : someId(g, key));
  return step(['XACK', key.toString('latin1'), group(g), ...ids], [key]);
}

function xpending(g: GenState): Step {
  const rng = g.rng;
  const key = streamKey(rng);
  const args: string[] = ['XPENDING', key.toString('latin1'), group(g)];
  if (rng.chance(0.6)) {
    if (rng.chance(0.4)) args.push('IDLE', rng.weighted(MIN_IDLE));
    args.push(rangeEnd(g, key), rangeEnd(g, key), rng.pick(['10', '1', '0', '-1']));
    if (rng.chance(0.4)) args.push(consumer(g));
  } else if (rng.chance(0.05)) args.push('-', '+');
  return step(args, [key], true);
}

/** An ID among the key's last few ms (where recent deliveries are). */
function recentId(g: GenState, key: Buffer): string {
  const top = stateOf(g).ms.get(key.toString('latin1')) ?? 0;
  return `${Math.max(0, top - g.rng.int(6))}-${g.rng.int(4)}`;
}

function xclaim(g: GenState): Step {
  const rng = g.rng;
  const key = streamKey(rng);
  const args: string[] = ['XCLAIM', key.toString('latin1'), group(g), consumer(g), rng.weighted(MIN_IDLE)];
  // Several recent IDs, so some are likely pending; FORCE claims any that exist.
  for (let i = rng.range(1, 6); i > 0; i--) args.push(rng.chance(0.7) ? recentId(g, key) : someId(g, key));
  for (let i = rng.int(3); i > 0; i--) {
    args.push(
      ...rng.weighted<() => string[]>([
        [3, () => ['IDLE', rng.pick(['0', '1000000', '1000000000', '-1'])]],
        [1, () => ['TIME', rng.pick(['1', '-1', '99999999999999'])]],
        [2, () => ['RETRYCOUNT', rng.pick(['0', '5', '-2'])]],
        [4, () => ['FORCE']],
        [2, () => ['JUSTID']],
        [1, () => ['LASTID', someId(g, key)]],
        [1, () => [rng.pick(['BOGUS', 'IDLE'])]],
      ])(),
    );
  }
  return step(args, [key]);
}

function xautoclaim(g: GenState): Step {
  const rng = g.rng;
  const key = streamKey(rng);
  const args: string[] = [
    'XAUTOCLAIM',
    key.toString('latin1'),
    group(g),
    consumer(g),
    rng.weighted(MIN_IDLE),
  ];
  args.push(
    rng.weighted<() => string>([
      [4, () => '0'],
      [3, () => someId(g, key)],
      [1, () => '(0'],
      [1, () => '-'],
    ])(),
  );
  if (rng.chance(0.5)) args.push('COUNT', rng.pick(['1', '2', '5', '0', '-1']));
  if (rng.chance(0.3)) args.push('JUSTID');
  return step(args, [key]);
}

function xinfo(g: GenState): Step {
  const key = streamKey(g.rng);
  const args = g.rng.chance(0.5)
    ? ['XINFO', 'GROUPS', key.toString('latin1')]
    : ['XINFO', 'CONSUMERS', key.toString('latin1'), group(g)];
  return step(args, [key], true);
}

export function groupStep(g: GenState): Step {
  return g.rng.weighted<(g: GenState) => Step>([
    [8, xgroup],
    [10, xreadgroup],
    [4, xack],
    [4, xpending],
    [4, xclaim],
    [3, xautoclaim],
    [3, xinfo],
  ])(g);
}
