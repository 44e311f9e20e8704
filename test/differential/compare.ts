/**
 * How two replies to the same command are judged equal. Byte equality is the rule; the other
 * modes relax only what differs between any two servers (see Compare in generator.ts). In
 * every mode an error reply must match byte for byte.
 */
import type { Compare } from './generator.js';
import { type Node, parseReply, type RawRespClient } from './resp-client.js';

/** Slack for relative TTLs: the two servers start and read a TTL at slightly different instants. */
const TTL_TOLERANCE_MS = 1500n;
const TTL_TOLERANCE_S = 2n;
/** A full SCAN that has not finished after this many calls is a bug (cursor never returns to 0). */
const MAX_SCAN_CALLS = 100_000;

/** Null when the replies count as equal, else a short reason. */
export function compareReplies(mode: Compare, redis: Buffer, cairn: Buffer): string | null {
  if (mode === 'ignore' || redis.equals(cairn)) return null;
  if (mode === 'exact') return 'replies differ';
  const r = parseReply(redis);
  const c = parseReply(cairn);
  if (r.t === 'error' || c.t === 'error') return 'replies differ (error)';
  switch (mode) {
    case 'ttl-s':
    case 'ttl-ms': {
      if (r.t !== 'int' || c.t !== 'int') return 'not both integers';
      if (r.v < 0n || c.v < 0n) return 'TTL state differs';
      const d = r.v > c.v ? r.v - c.v : c.v - r.v;
      return d <= (mode === 'ttl-s' ? TTL_TOLERANCE_S : TTL_TOLERANCE_MS) ? null : `TTLs differ by ${d}`;
    }
    case 'key-set':
      return sameKeySet(r, c) ? null : 'key sets differ';
    case 'random-key':
      return (r.t === 'null') === (c.t === 'null') && (r.t === 'bulk' || r.t === 'null')
        ? null
        : 'random key shape differs';
    case 'shape':
      if (r.t !== c.t) return `reply kinds differ (${r.t} / ${c.t})`;
      if ('items' in r && 'items' in c && r.items.length !== c.items.length) return 'aggregate sizes differ';
      return null;
  }
}

function keyList(n: Node): string[] | null {
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
    const r = parseReply(raw);
    if (r.t !== 'array' || r.items.length !== 2) return raw;
    const [next, batch] = r.items;
    if (next.t !== 'bulk' || (batch.t !== 'array' && batch.t !== 'set')) return raw;
    for (const k of batch.items) if (k.t === 'bulk') keys.add(k.b.toString('latin1'));
    if (next.b.toString('latin1') === '0') return [...keys].sort();
    cursor = Buffer.from(next.b);
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
