/**
 * Multi-command episodes the random sequence runs now and then, besides single steps:
 * - a pipelined batch: N generated commands in one write, the whole reply stream compared;
 * - a transaction: WATCH, another client's writes, MULTI, a generated body, EXEC or DISCARD;
 * - an expiry episode: keys given 50-300 ms TTLs, then compared once both servers must have
 *   expired them (reads, KEYS, SCAN, TTL -2), and keys never read again must leave DBSIZE on
 *   both (active expiry).
 */
import { keyList } from './compare.js';
import { ttlRead } from './family-expiry.js';
import type { Generator } from './generator.js';
import { KEYS, valueArg } from './random.js';
import { parseReply } from './resp-client.js';
import { describeArgv, type Runner } from './runner.js';
import { b, DATABASES_USED, type Step } from './step.js';

/** Commands whose replies are compared byte for byte and need nothing but their own reply. */
const pipelineable = (s: Step) => s.compare === 'exact' && !s.fullScan && !s.probe;

/** Draw up to `max` pipelineable steps; the model lags behind until their replies are in. */
function drawBody(gen: Generator, min: number, max: number): Step[] {
  const n = gen.rng.range(min, max);
  const steps: Step[] = [];
  gen.modelCurrent = false;
  try {
    for (let i = 0; i < n; i++) {
      const s = gen.nextWhere(pipelineable);
      if (s === null) break;
      steps.push(s);
    }
  } finally {
    gen.modelCurrent = true;
  }
  return steps;
}

/** Send `steps` to both servers in one write each and compare the whole reply streams. */
async function sendStream(
  r: Runner,
  steps: Step[],
  what: string,
): Promise<{ redis: Buffer[]; windowMs: number }> {
  for (const s of steps) r.note(`  ${what}: ${describeArgv(s.argv)}`);
  const sent = await r.pair.send(steps.map((s) => s.argv));
  if (!Buffer.concat(sent.redis).equals(Buffer.concat(sent.cairn))) {
    const i = sent.redis.findIndex((x, j) => !x.equals(sent.cairn[j]));
    r.fail(
      `${what}: reply ${i + 1} of ${steps.length} differs (${describeArgv(steps[i].argv)})`,
      sent.redis.map(showShort).join(' '),
      sent.cairn.map(showShort).join(' '),
    );
  }
  return sent;
}

const showShort = (x: Buffer) => JSON.stringify(x.toString('latin1'));

export async function pipelinedBatch(r: Runner): Promise<void> {
  const steps = drawBody(r.gen, 2, 16);
  if (steps.length === 0) return;
  r.note(`[pipelined batch of ${steps.length}]`);
  const sent = await sendStream(r, steps, 'pipelined');
  for (let i = 0; i < steps.length; i++) r.gen.observe(steps[i], parseReply(sent.redis[i]), sent.windowMs);
}

export async function transaction(r: Runner): Promise<void> {
  const { gen } = r;
  const watched = gen.rng.chance(0.7) ? gen.keys(1, 3) : [];
  r.note('[transaction]');
  if (watched.length > 0) await r.command(['watch', ...watched]);
  const others = gen.rng.range(0, 3);
  if (others > 0) {
    // Another client, on the same database, writes (or not) to the watched keys.
    await r.command(['select', String(gen.model.db)], r.aux, 'other client: ');
    for (let i = 0; i < others; i++) {
      // Not SELECT or SWAPDB: the model follows one database.
      const s = gen.nextWhere((x) => !x.fullScan && !/^(select|swapdb)$/i.test(x.argv[0].toString()));
      if (s === null) break;
      await r.step(s, r.aux, 'other client: ');
    }
  }
  // A follow-up queued by a step above (the EXISTS that touches a key SET with a past EXAT)
  // runs now: inside EXEC, Redis 7.0 reports an expired key missing without deleting it, so
  // DBSIZE would then count it on Redis only.
  for (let s = gen.nextQueued(); s !== null; s = gen.nextQueued()) await r.step(s);
  await r.command(['multi']);
  const body = drawBody(gen, 0, 6);
  if (body.length > 0) await sendStream(r, body, 'queued');
  const end = gen.rng.chance(0.1) ? 'discard' : 'exec';
  const { reply, windowMs } = await r.command([end]);
  if (reply?.t === 'array') {
    for (let i = 0; i < body.length; i++) gen.observe(body[i], reply.items[i], windowMs);
  }
}

const SHORT_MIN_MS = 50;
const SHORT_MAX_MS = 300;
/** Generous: active expiry runs hz (10) times a second on both servers. */
const ACTIVE_EXPIRY_LIMIT_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function expiryEpisode(r: Runner): Promise<void> {
  const { gen } = r;
  const { rng, model } = gen;
  const db = model.db;
  const other = (db + 1) % DATABASES_USED;
  r.note(`[expiry episode: pool keys in db ${db}, never-read keys in db ${other}]`);
  let deadline = 0;
  const volatile: Array<{ key: Buffer; deadline: number }> = [];
  const neverRead: Array<[number, Buffer]> = [];

  // 1. Short TTLs on a few pool keys, set every way there is.
  const pool = [...KEYS];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  for (const key of pool.slice(0, rng.range(2, 5))) {
    const ms = rng.range(SHORT_MIN_MS, SHORT_MAX_MS);
    const at = String(Date.now() + ms);
    const argv = rng.pick([
      ['pexpire', key, String(ms)],
      ['set', key, valueArg(rng), 'px', String(ms)],
      ['psetex', key, String(ms), valueArg(rng)],
      ['getex', key, 'px', String(ms)],
      ['pexpireat', key, at],
      ['set', key, valueArg(rng), 'pxat', at],
    ]);
    const { reply } = await r.command(argv);
    const took = reply?.t === 'simple' || reply?.t === 'bulk' || (reply?.t === 'int' && reply.v === 1n);
    if (!took) continue;
    const expires = argv.includes(at) ? Number(at) : Date.now() + ms;
    volatile.push({ key, deadline: expires });
    deadline = Math.max(deadline, expires);
  }
  // While one lives (comfortably far from its expiry), its TTLs compare as any other's.
  const alive = volatile.find((v) => v.deadline - Date.now() > 100);
  if (alive !== undefined) {
    await r.step(ttlRead('pttl', alive.key));
    await r.step(ttlRead('ttl', alive.key));
  }

  // 2. Keys nobody will read again: in another database and in this one.
  await r.command(['select', String(other)]);
  const before = await r.command(['dbsize']);
  const expectedOther = before.reply?.t === 'int' ? Number(before.reply.v) : -1;
  for (const [d, count, prefix] of [
    [other, rng.range(3, 12), 'vol:'],
    [db, rng.range(0, 4), 'vol:here:'],
  ] as const) {
    if (d === db) await r.command(['select', String(db)]);
    for (let i = 0; i < count; i++) {
      const ms = rng.range(SHORT_MIN_MS, SHORT_MAX_MS);
      const key = b(`${prefix}${i}`);
      await r.command(
        rng.chance(0.5) ? ['set', key, 'v', 'px', String(ms)] : ['psetex', key, String(ms), 'v'],
      );
      deadline = Math.max(deadline, Date.now() + ms);
      neverRead.push([d, key]);
    }
  }

  // 3. Past the last deadline on the clock both servers read, every one of those keys is
  //    expired for both: KEYS and SCAN must leave them out before anything deletes them.
  await sleep(deadline - Date.now() + 2);
  for (const { key } of volatile) model.forget(db, key);
  await r.step({ argv: [b('keys'), b('*')], compare: 'key-set' });
  await r.step({ argv: [b('scan'), b('0'), b('count'), b('3')], compare: 'exact', fullScan: 'static' });
  await r.step({ argv: [b('randomkey')], compare: 'random-key' });

  // 4. Lazy expiry: the first touch of each expired key, by one command or another, then its TTL.
  for (const { key } of volatile) {
    const first = rng.pick([
      'get',
      'exists',
      'ttl',
      'pttl',
      'type',
      'strlen',
      'getex',
      'getdel',
      'persist',
      'touch',
      'expiretime',
      'incr',
      'append',
    ]);
    await r.command(first === 'append' ? [first, key, 'z'] : [first, key]);
    await r.step(ttlRead('pttl', key));
  }

  // 5. Active expiry: DBSIZE (which touches no key) must come down to the live keys on both.
  const live = await r.pair.redis.call(['keys', '*']);
  const expectedHere = keyList(parseReply(live))?.length ?? -1;
  await waitForDbsize(r, db, expectedHere);
  await waitForDbsize(r, other, expectedOther);
  await r.command(['dbsize']);
  for (const [d, key] of neverRead) model.forget(d, key);
}

/** Poll DBSIZE of `db` on both servers (second connection) until each reports `expected`. */
async function waitForDbsize(r: Runner, db: number, expected: number): Promise<void> {
  const started = Date.now();
  await r.aux.send([['select', String(db)]]);
  for (;;) {
    const { redis, cairn } = await r.aux.send([['dbsize']]);
    const [dr, dc] = [redis[0].toString(), cairn[0].toString()];
    if (dr === `:${expected}\r\n` && dc === dr) return;
    if (Date.now() - started > ACTIVE_EXPIRY_LIMIT_MS) {
      r.fail(
        `db ${db}: DBSIZE did not come down to the ${expected} live keys within ${ACTIVE_EXPIRY_LIMIT_MS} ms (keys that expired unread must be removed by active expiry)`,
        dr.trim(),
        dc.trim(),
      );
    }
    await sleep(20);
  }
}
