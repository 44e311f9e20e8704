/**
 * A minimal RESP client for benchmarks: a pipelined bulk loader (SET commands written in
 * batches over one raw socket, a few batches in flight), a pipelined runner for any commands
 * with one-line replies (HSET, SADD, ZADD, RPUSH, HLEN, ...) over a few sockets, and one-off
 * commands (INFO, MEMORY, CONFIG) with their reply parsed. Works the same against Cairn and
 * redis-server.
 */
import { createConnection } from 'node:net';

/** Commands per write; batches in flight at once. */
const BATCH_COMMANDS = 2000;
const BATCHES_IN_FLIGHT = 4;

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function encode(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * SET `count` keys: key(i) -> value(i) (both Buffers or strings). Every reply must be `+OK`.
 * Resolves with the elapsed milliseconds.
 */
export async function loadKeys(port, count, key, value) {
  const s = await connect(port);
  const t0 = performance.now();
  let sent = 0;
  let acked = 0;
  let pending = Buffer.alloc(0);
  let failure = null;
  await new Promise((resolve, reject) => {
    const sendBatch = () => {
      const n = Math.min(BATCH_COMMANDS, count - sent);
      if (n <= 0) return;
      const chunks = [];
      for (let i = sent; i < sent + n; i++) chunks.push(encode(['SET', key(i), value(i)]));
      sent += n;
      s.write(Buffer.concat(chunks));
    };
    s.on('data', (d) => {
      pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
      let start = 0;
      for (let nl = pending.indexOf(10, start); nl >= 0; nl = pending.indexOf(10, start)) {
        if (pending[start] !== 0x2b && failure === null) failure = pending.subarray(start, nl).toString();
        acked++;
        start = nl + 1;
      }
      pending = pending.subarray(start);
      if (failure !== null) return reject(new Error(`SET failed: ${failure}`));
      while (sent - acked < BATCH_COMMANDS * BATCHES_IN_FLIGHT && sent < count) sendBatch();
      if (acked === count) resolve();
    });
    s.once('error', reject);
    for (let b = 0; b < BATCHES_IN_FLIGHT; b++) sendBatch();
  });
  s.destroy();
  return performance.now() - t0;
}

/** RESP text of one command whose arguments are ASCII strings (no Buffer copies). */
function encodeAscii(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}

/**
 * Run `count` commands, `cmd(i)` -> array of ASCII strings, pipelined over `sockets`
 * connections (batches of `batch` commands, a few in flight per socket, no per-command awaits).
 * Every reply must be one line (+simple, :integer or -error). Resolves with { ms, errors,
 * firstError, sum } (sum: the integer replies added up, e.g. HLEN over every key).
 */
export async function runPipelined(port, count, cmd, { sockets = 2, batch = 1000 } = {}) {
  const socks = await Promise.all(Array.from({ length: Math.max(1, sockets) }, () => connect(port)));
  const t0 = performance.now();
  let next = 0;
  let errors = 0;
  let firstError = null;
  let sum = 0;
  await Promise.all(
    socks.map(
      (s) =>
        new Promise((resolve, reject) => {
          let sent = 0;
          let acked = 0;
          let pending = '';
          const sendBatch = () => {
            const n = Math.min(batch, count - next);
            if (n <= 0) return false;
            let text = '';
            for (let i = next; i < next + n; i++) text += encodeAscii(cmd(i));
            next += n;
            sent += n;
            s.write(text);
            return true;
          };
          const finish = () => {
            if (next >= count && acked === sent) resolve();
          };
          s.setEncoding('latin1');
          s.on('data', (d) => {
            pending += d;
            let start = 0;
            for (let nl = pending.indexOf('\n', start); nl >= 0; nl = pending.indexOf('\n', start)) {
              const type = pending[start];
              if (type === ':') sum += Number(pending.slice(start + 1, nl - 1));
              else if (type === '-') {
                errors++;
                firstError ??= pending.slice(start + 1, nl - 1);
              } else if (type !== '+')
                return reject(new Error(`unexpected reply: ${pending.slice(start, nl)}`));
              acked++;
              start = nl + 1;
            }
            pending = pending.slice(start);
            while (sent - acked < batch * 4 && sendBatch());
            finish();
          });
          s.once('error', reject);
          for (let b = 0; b < 4 && sendBatch(); b++);
          finish();
        }),
    ),
  );
  for (const s of socks) s.destroy();
  return { ms: performance.now() - t0, errors, firstError, sum };
}

/** Parse one complete RESP reply from `buf`; returns [value, bytesUsed] or null if incomplete. */
function parse(buf, at = 0) {
  const nl = buf.indexOf('\r\n', at);
  if (nl < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, nl);
  const after = nl + 2;
  switch (type) {
    case '+':
    case '-':
    case ',':
      return [type === '-' ? new Error(line) : line, after];
    case ':':
      return [Number(line), after];
    case '$':
    case '=': {
      const len = Number(line);
      if (len < 0) return [null, after];
      if (buf.length < after + len + 2) return null;
      let text = buf.toString('utf8', after, after + len);
      if (type === '=') text = text.slice(4);
      return [text, after + len + 2];
    }
    case '*':
    case '%': {
      const n = Number(line) * (type === '%' ? 2 : 1);
      if (n < 0) return [null, after];
      const out = [];
      let pos = after;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, pos);
        if (r === null) return null;
        out.push(r[0]);
        pos = r[1];
      }
      return [out, pos];
    }
    case '_':
      return [null, after];
    default:
      throw new Error(`unexpected RESP type ${type}`);
  }
}

/** Run one command and resolve with its parsed reply. */
export async function command(port, ...args) {
  const s = await connect(port);
  let buf = Buffer.alloc(0);
  const reply = await new Promise((resolve, reject) => {
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const r = parse(buf);
      if (r !== null) resolve(r[0]);
    });
    s.once('error', reject);
    s.write(encode(args));
  });
  s.destroy();
  return reply;
}

/** INFO <section> as { field: value }. */
export async function info(port, section = 'memory') {
  const text = await command(port, 'INFO', section);
  const out = {};
  for (const line of String(text).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
