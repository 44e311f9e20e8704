/**
 * Runs generated steps against redis-server and Cairn at once and compares the replies. A Pair
 * sends the same bytes to both servers in the same tick and measures the window until the last
 * reply (the TTL tolerance in compare.ts is built from it). A Runner keeps the recent history
 * and turns a difference into an error naming the seed, the step and the last commands.
 */
import { compareReplies, compareScans, fullScan, type Observed, scanBatch, show } from './compare.js';
import type { Generator } from './generator.js';
import { type Node, parseReply, RawRespClient } from './resp-client.js';
import { b, type Step } from './step.js';

/** Commands shown on a mismatch (CAIRN_DIFF_HISTORY to see more). */
const HISTORY_SHOWN = Number(process.env.CAIRN_DIFF_HISTORY ?? 15);

export class Pair {
  constructor(
    readonly redis: RawRespClient,
    readonly cairn: RawRespClient,
  ) {}

  static async connect(redisPort: number, cairnPort: number): Promise<Pair> {
    const [r, c] = await Promise.all([RawRespClient.connect(redisPort), RawRespClient.connect(cairnPort)]);
    return new Pair(r, c);
  }

  /** The same commands to both servers, one write each, in the same tick. */
  async send(commands: ReadonlyArray<ReadonlyArray<Buffer | string>>): Promise<{
    redis: Buffer[];
    cairn: Buffer[];
    windowMs: number;
  }> {
    const t0 = Date.now();
    const [redis, cairn] = await Promise.all([this.redis.callMany(commands), this.cairn.callMany(commands)]);
    return { redis, cairn, windowMs: Date.now() - t0 };
  }

  close(): void {
    this.redis.close();
    this.cairn.close();
  }
}

export interface StepResult {
  /** Redis's reply (null for a full SCAN). */
  reply: Node | null;
  windowMs: number;
}

export class Runner {
  private readonly history: string[] = [];
  stepIndex = 0;
  /**
   * With CAIRN_DIFF_STATS=1: how often each command met each kind of reply, and how often a
   * relaxed comparison accepted replies that were not byte-identical (generator tuning).
   */
  readonly stats: Map<string, Map<string, number>> | null = process.env.CAIRN_DIFF_STATS ? new Map() : null;

  constructor(
    readonly gen: Generator,
    /** The main connection's pair. */
    readonly pair: Pair,
    /** A second connection to each server (RESP2): another client's writes, DBSIZE polls. */
    readonly aux: Pair,
    readonly label: string,
    readonly seed: number,
  ) {}

  note(line: string): void {
    this.history.push(line);
    if (this.history.length > HISTORY_SHOWN) this.history.shift();
  }

  fail(problem: string, redis: string, cairn: string): never {
    throw new Error(
      [
        `${this.label}: step ${this.stepIndex}: ${problem}`,
        `  seed:    ${this.seed} (rerun with CAIRN_DIFF_SEED=${this.seed})`,
        `  command: ${this.history[this.history.length - 1]}`,
        `  redis:   ${redis}`,
        `  cairn:   ${cairn}`,
        '  recent commands:',
        ...this.history.map((h) => `    ${h}`),
      ].join('\n'),
    );
  }

  /** Run one step on `pair` (default: the main connection), compare, and feed the model. */
  async step(step: Step, pair: Pair = this.pair, who = ''): Promise<StepResult> {
    this.note(`${who}${step.fullScan ? `[${step.fullScan} full scan] ` : ''}${describeArgv(step.argv)}`);
    if (step.fullScan === 'interleaved') return this.interleavedScan(step);
    if (step.fullScan === 'static') {
      const opts = step.argv.slice(2);
      const [r, c] = await Promise.all([fullScan(pair.redis, opts), fullScan(pair.cairn, opts)]);
      const problem = compareScans(r, c);
      if (problem !== null) this.fail(problem, renderScan(r), renderScan(c));
      return { reply: null, windowMs: 0 };
    }
    const { model } = this.gen;
    const skewMs = step.ttlKey ? model.ttlSkew(model.db, step.ttlKey) : 0;
    const sent = await pair.send(step.probe ? [step.argv, step.probe] : [step.argv]);
    const o: Observed = {
      redis: sent.redis[0],
      cairn: sent.cairn[0],
      probeRedis: sent.redis[1],
      probeCairn: sent.cairn[1],
      windowMs: sent.windowMs,
      skewMs,
    };
    const problem = compareReplies(step, o);
    if (problem !== null) {
      const probe = step.probe
        ? ` (probe ${describeArgv(step.probe)}: ${show(sent.redis[1])} / ${show(sent.cairn[1])})`
        : '';
      this.fail(
        `${problem} (compared: ${step.compare}, window ${sent.windowMs} ms, skew ${skewMs} ms)${probe}`,
        show(o.redis),
        show(o.cairn),
      );
    }
    const reply = parseReply(o.redis);
    if (this.stats !== null) {
      this.count(
        step.argv[0]?.toString('latin1').toLowerCase() ?? '',
        reply.t === 'error' ? `error ${reply.s.slice(0, 30)}` : reply.t,
      );
      if (!o.redis.equals(o.cairn)) this.count(`(${step.compare} accepted, not identical)`, '');
    }
    if (step.compare === 'random-key') await this.checkRandomKey(pair, reply, parseReply(o.cairn));
    if (step.compare === 'scan-batch') await this.checkScanBatch(pair, step, reply, parseReply(o.cairn));
    this.gen.observe(step, reply, sent.windowMs);
    return { reply, windowMs: sent.windowMs };
  }

  private count(name: string, kind: string): void {
    let m = this.stats!.get(name);
    if (m === undefined) {
      m = new Map();
      this.stats!.set(name, m);
    }
    m.set(kind, (m.get(kind) ?? 0) + 1);
  }

  /** A command outside the generator (episodes, transactions), compared byte for byte. */
  command(argv: ReadonlyArray<string | Buffer>, pair: Pair = this.pair, who = ''): Promise<StepResult> {
    return this.step(
      { argv: argv.map((a) => (typeof a === 'string' ? b(a) : a)), compare: 'exact' },
      pair,
      who,
    );
  }

  /** RANDOMKEY: each server's key must exist on both. */
  private async checkRandomKey(pair: Pair, r: Node, c: Node): Promise<void> {
    for (const n of [r, c]) {
      if (n.t !== 'bulk') continue;
      const sent = await pair.send([[b('exists'), n.b]]);
      if (sent.redis[0].toString() !== ':1\r\n' || sent.cairn[0].toString() !== ':1\r\n')
        this.fail(
          `RANDOMKEY returned ${show(n.b)}, which does not exist on both`,
          show(sent.redis[0]),
          show(sent.cairn[0]),
        );
    }
  }

  /** SCAN from an arbitrary cursor: each server's batch must be keys of its database that match. */
  private async checkScanBatch(pair: Pair, step: Step, r: Node, c: Node): Promise<void> {
    const br = scanBatch(r);
    const bc = scanBatch(c);
    if (br === null || bc === null) return;
    const opts = step.argv.slice(2);
    const [fr, fc] = await Promise.all([fullScan(pair.redis, opts), fullScan(pair.cairn, opts)]);
    const problem = compareScans(fr, fc);
    if (problem !== null) this.fail(`after SCAN ${step.argv[1]}: ${problem}`, renderScan(fr), renderScan(fc));
    for (const [who, batch, all] of [['redis', br, fr] as const, ['cairn', bc, fc] as const]) {
      const extra = batch.keys.filter((k) => Buffer.isBuffer(all) || !all.includes(k));
      if (extra.length > 0)
        this.fail(
          `${who}: SCAN returned keys that are not in the database (or do not match)`,
          JSON.stringify(extra),
          renderScan(all),
        );
    }
  }

  /**
   * A full SCAN on each server with writes between its calls. Redis guarantees that every key
   * present from the start to the end of the iteration is returned, and returns no key that was
   * never there. After each write the current key set (a full SCAN of Redis with the same
   * options, nothing changing meanwhile) is recorded; the keys in every record were present
   * throughout, the keys in any record are the ones that may come back.
   */
  private async interleavedScan(step: Step): Promise<StepResult> {
    const opts = step.argv.slice(2);
    const { redis, cairn } = this.pair;
    const first = await fullScan(redis, opts);
    if (Buffer.isBuffer(first)) return this.step({ ...step, fullScan: 'static' });
    const records: Array<Set<string>> = [new Set(first)];
    // How many writes, drawn up front: how many SCAN calls each server needs is not seeded.
    let writes = this.gen.rng.range(1, 4);
    const state = [
      { who: 'redis', client: redis, cursor: '0', done: false, seen: new Set<string>() },
      { who: 'cairn', client: cairn, cursor: '0', done: false, seen: new Set<string>() },
    ];
    for (let calls = 0; !(state[0].done && state[1].done) || writes > 0; calls++) {
      if (calls > 10_000) this.fail('interleaved SCAN did not finish', state[0].cursor, state[1].cursor);
      await Promise.all(
        state.map(async (s) => {
          if (s.done) return;
          const raw = await s.client.call([b('scan'), b(s.cursor), ...opts]);
          const batch = scanBatch(parseReply(raw));
          if (batch === null) this.fail(`${s.who}: SCAN ${s.cursor} failed mid-iteration`, show(raw), '');
          for (const k of batch.keys) s.seen.add(k);
          s.cursor = batch.cursor;
          s.done = batch.cursor === '0';
        }),
      );
      if (writes > 0) {
        writes--;
        // Neither SELECT nor SWAPDB: the iteration is over one database's keys.
        const w = this.gen.nextWhere((s) => !s.fullScan && !/^(select|swapdb)$/i.test(s.argv[0].toString()));
        if (w !== null) {
          await this.step(w, this.pair, '  (during scan) ');
          const now = await fullScan(redis, opts);
          if (!Buffer.isBuffer(now) && !(state[0].done && state[1].done)) records.push(new Set(now));
        }
      }
    }
    const always = [...records[0]].filter((k) => records.every((r) => r.has(k)));
    const ever = new Set(records.flatMap((r) => [...r]));
    for (const s of state) {
      const missed = always.filter((k) => !s.seen.has(k));
      const invented = [...s.seen].filter((k) => !ever.has(k));
      if (missed.length > 0 || invented.length > 0) {
        this.fail(
          `${s.who}: SCAN with writes between calls missed keys present throughout ${JSON.stringify(missed)} or returned keys never present ${JSON.stringify(invented)}`,
          JSON.stringify([...state[0].seen].sort()),
          JSON.stringify([...state[1].seen].sort()),
        );
      }
    }
    return { reply: null, windowMs: 0 };
  }
}

export function describeArgv(argv: readonly Buffer[]): string {
  return argv.map(show).join(' ');
}

function renderScan(r: string[] | Buffer): string {
  return Buffer.isBuffer(r) ? show(r) : JSON.stringify(r);
}
