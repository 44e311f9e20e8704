/**
 * A small differential runner for one collection family (hash, set): a seeded random sequence
 * of steps goes to redis-server and to Cairn over raw sockets, each reply is compared (byte for
 * byte unless the step says how Redis's order or randomness makes that impossible), and after
 * every step OBJECT ENCODING of the keys it touched must match too, so encoding conversions
 * are checked at every threshold crossing.
 *
 * Kept apart from differential.test.ts's generator (another suite with its own model): this
 * one only needs Redis's own replies to steer (encodings, contents before a random command).
 */
import { show } from '../compare.js';
import type { Rng } from '../random.js';
import { type Node, parseReply, type RawRespClient } from '../resp-client.js';

/** What a comparison can see besides the two replies. */
export interface CompareContext {
  /** Redis's replies to the step's `pre` commands, sent just before the step. */
  pre: Node[];
  resp: 2 | 3;
}

export type Check = (redis: Buffer, cairn: Buffer, ctx: CompareContext) => string | null;

export interface Step {
  argv: Buffer[];
  /** Keys whose OBJECT ENCODING is compared after the step. */
  keys: Buffer[];
  /** How the replies are judged; byte equality when absent. */
  check?: Check;
  /**
   * Sent to Redis only, first; the replies go to `check` (the contents a random pick draws
   * from, or a probe of what encoding Redis gives a result).
   */
  pre?: Buffer[][];
  /** Iterate an xSCAN to the end instead of sending argv once (argv holds cursor 0). */
  fullScan?: boolean;
  /** The scanned key is compact (listpack, intset): one reply, byte for byte. */
  exactScan?: boolean;
  /**
   * After a step whose effect was random (SPOP): bring Cairn's state back to Redis's. Gets
   * both replies; returns commands to send to Cairn only.
   */
  resync?: (redis: Node, cairn: Node, pre: Node[]) => Buffer[][];
}

export interface GenState {
  readonly rng: Rng;
  /** Redis's last OBJECT ENCODING answer per key (latin1), null when the key had none. */
  readonly encodings: Map<string, string | null>;
  /** The encoding thresholds in force (both servers). */
  readonly limits: Record<string, number>;
}

export interface Family {
  readonly name: string;
  next(g: GenState): Step;
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

// ---- comparisons ------------------------------------------------------------------------

function itemsOf(n: Node): Node[] | null {
  return n.t === 'array' || n.t === 'set' || n.t === 'map' ? n.items : null;
}

function nodeKey(n: Node): string {
  switch (n.t) {
    case 'bulk':
    case 'verbatim':
      return `$${n.b.toString('latin1')}`;
    case 'int':
      return `:${n.v}`;
    case 'null':
      return '_';
    case 'array':
    case 'set':
    case 'map':
    case 'push':
      return `${n.t}[${n.items.map(nodeKey).join(',')}]`;
    case 'bool':
      return `#${n.v}`;
    default:
      return `${n.t}:${n.s}`;
  }
}

/** Same kind and the same items in any order; `group` items are compared as tuples (pairs). */
export function unordered(group = 1): Check {
  return (redis, cairn) => {
    if (redis.equals(cairn)) return null;
    const r = parseReply(redis);
    const c = parseReply(cairn);
    if (r.t !== c.t) return `reply kinds differ (${r.t} / ${c.t})`;
    const ri = itemsOf(r);
    const ci = itemsOf(c);
    if (ri === null || ci === null) return 'replies differ';
    const tuples = (items: Node[]) => {
      const out: string[] = [];
      for (let i = 0; i < items.length; i += group)
        out.push(
          items
            .slice(i, i + group)
            .map(nodeKey)
            .join('|'),
        );
      return out.sort();
    };
    const a = tuples(ri);
    const z = tuples(ci);
    return a.length === z.length && a.every((x, i) => x === z[i])
      ? null
      : 'items differ (compared unordered)';
  };
}

// ---- the run ----------------------------------------------------------------------------

export interface RunOptions {
  family: Family;
  rng: Rng;
  steps: number;
  resp: 2 | 3;
  limits: Record<string, number>;
  /** Label for failure reports. */
  label: string;
  seed: number;
}

/** Commands shown before a failure (CAIRN_DIFF_HISTORY to see more of a run). */
const HISTORY_SHOWN = Number(process.env.CAIRN_DIFF_HISTORY ?? 12);

async function both(redis: RawRespClient, cairn: RawRespClient, argv: ReadonlyArray<Buffer | string>) {
  return Promise.all([redis.call(argv), cairn.call(argv)]);
}

/** xSCAN from 0 to the end on one server: the error reply, or the items and the first reply. */
async function fullScan(
  client: RawRespClient,
  argv: Buffer[],
): Promise<{ error: Buffer } | { items: Node[]; first: Buffer; calls: number }> {
  const items: Node[] = [];
  let cursor = b('0');
  let first: Buffer | null = null;
  for (let calls = 1; calls < 100_000; calls++) {
    const raw = await client.call([argv[0], argv[1], cursor, ...argv.slice(3)]);
    first ??= raw;
    const n = parseReply(raw);
    if (n.t === 'error') return { error: raw };
    if (n.t !== 'array' || n.items.length !== 2) throw new Error(`bad scan reply ${show(raw)}`);
    const [cur, batch] = n.items;
    if (cur.t !== 'bulk' || (batch.t !== 'array' && batch.t !== 'set')) throw new Error('bad scan reply');
    items.push(...batch.items);
    cursor = Buffer.from(cur.b);
    if (cursor.toString() === '0') return { items, first, calls };
  }
  throw new Error('scan never ended');
}

/**
 * Compare two full scans: the same error, or the same set of elements (a large collection may
 * repeat some; `group` 2 for field/value pairs, whose values must agree too). A compact
 * collection comes whole in one reply, which must match byte for byte.
 */
async function compareFullScans(
  redis: RawRespClient,
  cairn: RawRespClient,
  step: Step,
): Promise<string | null> {
  const group = step.argv[0].toString().toLowerCase() === 'hscan' ? 2 : 1;
  const [r, c] = await Promise.all([fullScan(redis, step.argv), fullScan(cairn, step.argv)]);
  if ('error' in r || 'error' in c) {
    if ('error' in r && 'error' in c && r.error.equals(c.error)) return null;
    return `scan errors differ: ${'error' in r ? show(r.error) : 'ok'} / ${'error' in c ? show(c.error) : 'ok'}`;
  }
  if (step.exactScan) {
    if (r.calls === 1 && c.calls === 1 && r.first.equals(c.first)) return null;
    return `compact scans differ: ${show(r.first)} (${r.calls} calls) / ${show(c.first)} (${c.calls} calls)`;
  }
  const distinct = (items: Node[]) => {
    const m = new Map<string, string>();
    for (let i = 0; i < items.length; i += group)
      m.set(
        nodeKey(items[i]),
        items
          .slice(i + 1, i + group)
          .map(nodeKey)
          .join('|'),
      );
    return m;
  };
  const rm = distinct(r.items);
  const cm = distinct(c.items);
  if (rm.size !== cm.size) return `scans return ${rm.size} / ${cm.size} distinct elements`;
  for (const [k, v] of rm) if (cm.get(k) !== v) return `scan element ${k} differs`;
  return null;
}

/** With CAIRN_DIFF_STATS=1, how often each command met each kind of reply (generator tuning). */
const stats: Map<string, Map<string, number>> | null = process.env.CAIRN_DIFF_STATS ? new Map() : null;

function countReply(name: string, reply: Node): void {
  if (stats === null) return;
  const kind =
    reply.t === 'error'
      ? `error ${reply.s.slice(0, 40)}`
      : 'items' in reply
        ? `${reply.t}(${reply.items.length > 0 ? 'some' : 0})`
        : reply.t;
  const m = stats.get(name) ?? new Map<string, number>();
  stats.set(name, m);
  m.set(kind, (m.get(kind) ?? 0) + 1);
}

export function printStats(): void {
  if (stats === null) return;
  for (const [name, kinds] of [...stats].sort()) console.log(name, JSON.stringify(Object.fromEntries(kinds)));
}

export async function runFamily(redis: RawRespClient, cairn: RawRespClient, o: RunOptions): Promise<void> {
  const history: string[] = [];
  const encodings = new Map<string, string | null>();
  const g: GenState = { rng: o.rng, encodings, limits: o.limits };
  const fail = (i: number, problem: string, r: string, c: string): Error =>
    new Error(
      [
        `${o.label}: step ${i}: ${problem}`,
        `  seed:    ${o.seed} (rerun with CAIRN_DIFF_SEED=${o.seed})`,
        `  redis:   ${r.slice(0, 2000)}`,
        `  cairn:   ${c.slice(0, 2000)}`,
        '  recent commands:',
        ...history.map((h) => `    ${h}`),
      ].join('\n'),
    );
  for (let i = 0; i < o.steps; i++) {
    const step = o.family.next(g);
    history.push(
      `${step.fullScan ? '[full scan] ' : ''}${step.argv.map((a) => show(a).slice(0, 120)).join(' ')}`,
    );
    if (history.length > HISTORY_SHOWN) history.shift();
    if (step.fullScan) {
      const problem = await compareFullScans(redis, cairn, step);
      if (problem !== null) throw fail(i, problem, '', '');
    } else {
      const pre = step.pre ? (await redis.callMany(step.pre)).map(parseReply) : [];
      const [r, c] = await both(redis, cairn, step.argv);
      const problem = step.check
        ? step.check(r, c, { pre, resp: o.resp })
        : r.equals(c)
          ? null
          : 'replies differ';
      if (problem !== null) throw fail(i, problem, show(r), show(c));
      if (stats !== null) countReply(step.argv[0].toString().toLowerCase(), parseReply(r));
      if (step.resync) {
        const fix = step.resync(parseReply(r), parseReply(c), pre);
        if (fix.length > 0) await cairn.callMany(fix);
      }
    }
    for (const key of step.keys) {
      const cmd = [b('object'), b('encoding'), key];
      const [r, c] = await both(redis, cairn, cmd);
      if (!r.equals(c)) throw fail(i, `OBJECT ENCODING ${show(key)} differs`, show(r), show(c));
      const n = parseReply(r);
      encodings.set(key.toString('latin1'), n.t === 'bulk' ? n.b.toString('latin1') : null);
    }
  }
}
