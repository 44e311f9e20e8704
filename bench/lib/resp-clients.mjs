/**
 * A lean RESP load generator for commands whose replies are not one line (XADD answers a bulk
 * string, XREADGROUP nested arrays), or whose arguments redis-benchmark cannot make (XACK of the
 * IDs an earlier step read): `clients` raw sockets, each with `pipeline` commands in flight (the
 * model redis-benchmark uses: send P, wait for P replies, send the next P), commands built by
 * `cmd(i)` for i in [0, count). Replies of every RESP2 type are skipped without building
 * values; integer replies are summed and errors counted, so a caller can verify what the server
 * did (XACK's acknowledged count, XLEN over many keys). Works the same against Cairn and Redis.
 */
import { createConnection } from 'node:net';

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** RESP text of one command whose arguments are ASCII strings. */
function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}

/**
 * End of the reply starting at `at` in latin1 text `s`, or -1 if it is not complete yet.
 * `acc` collects { sum, errors, firstError } for top-level integer and error replies.
 */
function skipReply(s, at, acc, top) {
  const nl = s.indexOf('\r\n', at);
  if (nl < 0) return -1;
  const type = s[at];
  if (type === '+') return nl + 2;
  if (type === ':') {
    if (top) acc.sum += Number(s.slice(at + 1, nl));
    return nl + 2;
  }
  if (type === '-') {
    acc.errors++;
    acc.firstError ??= s.slice(at + 1, nl);
    return nl + 2;
  }
  const n = Number(s.slice(at + 1, nl));
  if (type === '$') {
    if (n < 0) return nl + 2;
    const end = nl + 2 + n + 2;
    return end <= s.length ? end : -1;
  }
  if (type === '*') {
    let pos = nl + 2;
    for (let i = 0; i < n; i++) {
      pos = skipReply(s, pos, acc, false);
      if (pos < 0) return -1;
    }
    return pos;
  }
  throw new Error(`unexpected RESP reply: ${s.slice(at, nl)}`);
}

/**
 * Run `count` commands; resolves to { ms, errors, firstError, sum } (sum: the top-level integer
 * replies added up).
 */
export async function runCommands(port, count, cmd, { clients = 2, pipeline = 1000 } = {}) {
  const socks = await Promise.all(Array.from({ length: Math.max(1, clients) }, () => connect(port)));
  const acc = { sum: 0, errors: 0, firstError: null };
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      socks.map(
        (s) =>
          new Promise((resolve, reject) => {
            let inFlight = 0;
            let pending = '';
            const sendBatch = () => {
              const n = Math.min(pipeline, count - next);
              if (n <= 0) return resolve();
              let text = '';
              for (let i = next; i < next + n; i++) text += encode(cmd(i));
              next += n;
              inFlight = n;
              s.write(text, 'latin1');
            };
            s.setEncoding('latin1');
            s.on('data', (d) => {
              pending += d;
              let at = 0;
              while (at < pending.length && inFlight > 0) {
                const end = skipReply(pending, at, acc, true);
                if (end < 0) break;
                at = end;
                inFlight--;
              }
              pending = pending.slice(at);
              if (inFlight === 0) sendBatch();
            });
            s.once('error', reject);
            s.once('close', () => {
              if (inFlight > 0)
                reject(new Error(`the server closed a connection with ${inFlight} replies due`));
            });
            sendBatch();
          }),
      ),
    );
  } finally {
    for (const s of socks) s.destroy();
  }
  return { ms: performance.now() - t0, ...acc };
}
