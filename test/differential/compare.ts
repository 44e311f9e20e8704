/**
 * How two replies to the same command are judged equal. Byte equality is the rule; the other
 * modes (see Compare in step.ts) relax only what differs between any two servers. In every mode
 * an error reply, and a TTL's state (-1 no TTL, -2 no key), must match byte for byte.
 *
 * TTL tolerance. Both servers share this machine's clock, and the test sends each command to
 * both in the same tick, so each runs it at an instant between the send and the last reply:
 * that measured window (`windowMs`, whole ms as Date.now() reads them) bounds how far apart the
 * two executions are. A relative expiry (EX, PX, EXPIRE...) therefore leaves the two absolute
 * expiry times at most the setting command's window apart (the model's per-key skew, `skewMs`; 0 for
 * EXAT/PXAT/EXPIREAT), and a later read adds its own window:
 * - PTTL: |redis - cairn| <= skewMs + windowMs.
 * - PEXPIRETIME: |redis - cairn| <= skewMs.
 * - TTL (seconds, rounded as Redis rounds: (ms + 500) / 1000): sent with a PTTL probe in the
 *   same write; each server's TTL must be the rounding of a PTTL between its probe and the probe
 *   plus the window, and the two probes must agree within skewMs + windowMs. So the seconds
 *   differ only when the ms remainder straddles the rounding point within that slack, and an
 *   off-by-one-second TTL fails.
 * - EXPIRETIME: exactly the rounding of the same server's PEXPIRETIME probe; the probes agree
 *   within skewMs (so absolute expiries compare exactly).
 */
import { type Node, parseReply, type RawRespClient } from './resp-client.js';
import type { Step } from './step.js';

/** A full SCAN that has not finished after this many calls is a bug (cursor never returns to 0). */
export const MAX_SCAN_CALLS = 100_000;

export interface Observed {
  redis: Buffer;
  cairn: Buffer;
  /** Replies to the step's probe, when it has one. */
  probeRedis?: Buffer;
  probeCairn?: Buffer;
  /** Ms between sending to both and the last reply. */
  windowMs: number;
  /** The model's skew bound for the step's ttlKey (0 without one). */
  skewMs: number;
}

/** Null when the replies count as equal, else a short reason. */
export function compareReplies(step: Step, o: Observed): string | null {
  const { redis, cairn } = o;
  const mode = step.compare;
  if (mode === 'exact') return redis.equals(cairn) ? null : 'replies differ';
  const r = parseReply(redis);
  const c = parseReply(cairn);
  if (r.t === 'error' || c.t === 'error') return redis.equals(cairn) ? null : 'replies differ (error)';
  switch (mode) {
    case 'ttl':
    case 'pttl':
    case 'expiretime':
    case 'pexpiretime':
      return ttlProblem(step, r, c, o);
    case 'key-set':
      return sameKeySet(r, c) ? null : 'key sets differ';
    case 'random-key':
      return (r.t === 'null') === (c.t === 'null') && (r.t === 'bulk' || r.t === 'null')
        ? null
        : 'random key shape differs';
    case 'scan-batch':
      return scanBatch(r) !== null && scanBatch(c) !== null ? null : 'SCAN reply shapes differ';
    case 'shape':
      if (r.t !== c.t) return `reply kinds differ (${r.t} / ${c.t})`;
      if ('items' in r && 'items' in c && r.items.length !== c.items.length) return 'aggregate sizes differ';
      return null;
  }
}

const int = (n: Node): bigint | null => (n.t === 'int' ? n.v : null);
const abs = (v: bigint): bigint => (v < 0n ? -v : v);
/** Redis's rounding of a ms TTL or expire time to seconds. */
const roundS = (ms: bigint): bigint => (ms + 500n) / 1000n;

function ttlProblem(step: Step, rn: Node, cn: Node, o: Observed): string | null {
  const r = int(rn);
  const c = int(cn);
  if (r === null || c === null) return 'not both integers';
  if (r === c) return null;
  if (r < 0n || c < 0n) return `TTL state differs (${r} / ${c})`;
  const skew = BigInt(o.skewMs);
  const window = BigInt(o.windowMs);
  switch (step.compare) {
    case 'pttl':
      return abs(r - c) <= skew + window
        ? null
        : `PTTLs differ by ${abs(r - c)} ms (allowed ${skew + window})`;
    case 'pexpiretime':
      return abs(r - c) <= skew ? null : `PEXPIRETIMEs differ by ${abs(r - c)} ms (allowed ${skew})`;
  }
  const pr = o.probeRedis ? int(parseReply(o.probeRedis)) : null;
  const pc = o.probeCairn ? int(parseReply(o.probeCairn)) : null;
  if (pr === null || pc === null || pr < 0n || pc < 0n)
    return 'TTLs differ and the ms probes do not explain it';
  if (step.compare === 'ttl') {
    // The TTL ran before its PTTL probe: its ms TTL lay in [probe, probe + window].
    for (const [who, s, p] of [['redis', r, pr] as const, ['cairn', c, pc] as const]) {
      if (s < roundS(p) || s > roundS(p + window))
        return `${who}: TTL ${s} s is not its PTTL ${p} ms rounded`;
    }
    return abs(pr - pc) <= skew + window
      ? null
      : `TTLs differ; PTTLs ${pr}/${pc} differ by more than ${skew + window} ms`;
  }
  for (const [who, s, p] of [['redis', r, pr] as const, ['cairn', c, pc] as const]) {
    if (s !== roundS(p)) return `${who}: EXPIRETIME ${s} s is not its PEXPIRETIME ${p} ms rounded`;
  }
  return abs(pr - pc) <= skew
    ? null
    : `EXPIRETIMEs differ; PEXPIRETIMEs ${pr}/${pc} differ by more than ${skew} ms`;
}

/** The keys of a `[cursor, keys]` SCAN reply, or null when the reply has another shape. */
export function scanBatch(n: Node): { cursor: string; keys: string[] } | null {
  if (n.t !== 'array' || n.items.length !== 2) return null;
  const [cursor, batch] = n.items;
  if (cursor.t !== 'bulk' || !/^\d+$/.test(cursor.b.toString('latin1'))) return null;
  const keys = keyList(batch);
  return keys === null ? null : { cursor: cursor.b.toString('latin1'), keys };
}

export function keyList(n: Node): string[] | null {
  if (n.t !== 'array' && n.t !== 'set') return null;
  const out: string[] = [];
  for (const item of n.items) {
    if (item.t !== 'bulk') return null;
    out.push(item.b.toString('latin1'));
  }
  return out.sort();
}

function sameKeySet(a: Node, b: Node): boolean {
  const x = keyList(a);
  const y = keyList(b);
  return x !== null && y !== null && x.length === y.length && x.every((k, i) => k === y[i]);
}

/**
 * Iterate SCAN from cursor 0 to the end with the given options. Returns the sorted distinct
 * keys, or the error reply's bytes (an option error shows on the first call).
 */
export async function fullScan(client: RawRespClient, opts: readonly Buffer[]): Promise<string[] | Buffer> {
  const keys = new Set<string>();
  let cursor = Buffer.from('0');
  for (let calls = 0; calls < MAX_SCAN_CALLS; calls++) {
    const raw = await client.call([Buffer.from('scan'), cursor, ...opts]);
    const batch = scanBatch(parseReply(raw));
    if (batch === null) return raw;
    for (const k of batch.keys) keys.add(k);
    if (batch.cursor === '0') return [...keys].sort();
    cursor = Buffer.from(batch.cursor);
  }
  throw new Error(`SCAN did not finish in ${MAX_SCAN_CALLS} calls`);
}

export function compareScans(redis: string[] | Buffer, cairn: string[] | Buffer): string | null {
  if (Buffer.isBuffer(redis) || Buffer.isBuffer(cairn)) {
    return Buffer.isBuffer(redis) && Buffer.isBuffer(cairn) && redis.equals(cairn)
      ? null
      : 'SCAN replies differ';
  }
  if (redis.length !== cairn.length || redis.some((k, i) => k !== cairn[i])) return 'SCAN key sets differ';
  return null;
}

/** Bytes as redis-cli would quote them, for failure reports. */
export function show(b: Buffer): string {
  let s = '';
  for (const c of b) {
    if (c === 0x5c) s += '\\\\';
    else if (c === 0x22) s += '\\"';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x0a) s += '\\n';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `"${s}"`;
}
