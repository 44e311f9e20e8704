/**
 * Comparing stream replies that carry times. Two servers on one machine run each command
 * within milliseconds of each other, so a delivery time, a consumer's seen time or an idle
 * time may differ by a little; everything else must match byte for byte, type bytes and
 * lengths included (so `$-1` and `*-1` stay different).
 *
 * An integer may differ by at most TIME_TOLERANCE_MS when it is:
 * - an absolute Unix time in ms (both >= 10^12): seen-time, delivery times in XINFO FULL;
 * - the value after a bulk `idle` (XINFO CONSUMERS);
 * - the third of [id, consumer, idle, count] (XPENDING's extended form).
 */
import type { Check } from './collection-runner.js';

/** Generous: the machine is shared, and a pause between the two servers' turns is possible. */
export const TIME_TOLERANCE_MS = 2000n;
const ABSOLUTE_TIME_MIN = 1_000_000_000_000n;

interface Tree {
  type: string;
  line: string;
  data?: Buffer;
  items?: Tree[];
}

function parse(buf: Buffer, at: number): [Tree, number] {
  const eol = buf.indexOf('\r\n', at);
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('latin1', at + 1, eol);
  let p = eol + 2;
  if ('$!='.includes(type)) {
    const n = Number(line);
    if (n < 0) return [{ type, line }, p];
    return [{ type, line, data: buf.subarray(p, p + n) }, p + n + 2];
  }
  if ('*%~>|'.includes(type)) {
    let n = Number(line);
    if (n < 0) return [{ type, line }, p];
    if (type === '%' || type === '|') n *= 2;
    const items: Tree[] = [];
    for (let i = 0; i < n; i++) {
      const [t, q] = parse(buf, p);
      items.push(t);
      p = q;
    }
    return [{ type, line, items }, p];
  }
  return [{ type, line }, p];
}

function timeLike(parent: Tree | null, i: number, a: bigint, b: bigint): boolean {
  if (a >= ABSOLUTE_TIME_MIN && b >= ABSOLUTE_TIME_MIN) return true;
  const items = parent?.items;
  if (items === undefined) return false;
  const prev = items[i - 1];
  if (prev?.type === '$' && prev.data?.toString('latin1') === 'idle') return true;
  return (
    items.length === 4 &&
    i === 2 &&
    items[0].type === '$' &&
    items[1].type === '$' &&
    items[2].type === ':' &&
    items[3].type === ':'
  );
}

function compare(r: Tree, c: Tree, parent: Tree | null, i: number, path: string): string | null {
  if (r.type !== c.type) return `${path}: type ${r.type} / ${c.type}`;
  if (r.type === ':' && r.line !== c.line) {
    const a = BigInt(r.line);
    const b = BigInt(c.line);
    const d = a > b ? a - b : b - a;
    if (timeLike(parent, i, a, b) && d <= TIME_TOLERANCE_MS) return null;
    return `${path}: ${r.line} / ${c.line}`;
  }
  if (r.line !== c.line) return `${path}: ${r.type}${r.line} / ${c.type}${c.line}`;
  if (r.data !== undefined && !r.data.equals(c.data as Buffer)) return `${path}: bulk differs`;
  const ri = r.items ?? [];
  const ci = c.items ?? [];
  for (let k = 0; k < ri.length; k++) {
    const p = compare(ri[k], ci[k], r, k, `${path}[${k}]`);
    if (p !== null) return p;
  }
  return null;
}

/** Byte equality, except for times within TIME_TOLERANCE_MS. */
export const timesClose: Check = (redis, cairn) => {
  if (redis.equals(cairn)) return null;
  return compare(parse(redis, 0)[0], parse(cairn, 0)[0], null, 0, 'reply');
};
