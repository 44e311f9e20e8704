/**
 * The subscriber side of bench/pubsub.mjs, run as a child process (`fork`), so that reading
 * thousands of deliveries never shares an event loop with the publisher or the report.
 *
 * It opens N raw TCP sockets, each SUBSCRIBEs to one channel (after HELLO 3 in RESP3 mode), and
 * then only counts bytes: every message has the same size on the wire (fixed channel and
 * payload), so messages = bytes / wire size, and no parser runs on the hot path. A few sampled
 * sockets also cut their byte stream into messages and read the publisher's timestamp (a
 * process.hrtime.bigint() in the payload: CLOCK_MONOTONIC, shared by every process on Linux) to
 * time each delivery.
 *
 * IPC, parent -> child:
 *   { type: 'start', port, sockets, channel, resp: 2|3, payloadSize, sampleSockets, stallMs }
 *        -> { type: 'ready', wireSize } once every socket has its subscribe confirmation
 *   { type: 'measure', fromNs }   (a hrtime: messages sent before it are not timed; warm-up)
 *   { type: 'expect', messages }   (messages per socket)
 *        -> { type: 'done', firstNs, lastNs, cpuUs, latency } once every socket holds exactly
 *           messages x wire size bytes (lastNs: the arrival of the last expected delivery)
 *   { type: 'verify' } -> { type: 'verified', extraBytes } (bytes past the expected count, once
 *        the publisher has finished: 0 unless the server sent more than was published)
 *   { type: 'stop' } -> exits
 * Any failure (a socket closed or errored, more bytes than expected, no progress for stallMs
 * while deliveries are missing) -> { type: 'failed', reason } and the parent stops the child.
 */
import { createConnection } from 'node:net';

/** Sockets connected at once, so the server's listen backlog never overflows. */
const CONNECT_BATCH = 64;
/** Bound on recorded latency samples (the rest are counted, not kept). */
const MAX_SAMPLES = 2_000_000;
/** Digits of the timestamp at the start of a timed payload. */
const STAMP_DIGITS = 20;

const send = (msg) => process.send?.(msg);
const fail = (reason) => {
  send({ type: 'failed', reason });
  setTimeout(() => process.exit(1), 200).unref();
};

function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

/** Bytes of one delivered message: [message, channel, payload] as array (RESP2) or push (RESP3). */
function wireSize(channel, payloadSize) {
  const head = `*3\r\n$7\r\nmessage\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n$${payloadSize}\r\n`;
  return Buffer.byteLength(head) + payloadSize + 2;
}

let sockets = [];
let W = 0;
let payloadOffset = 0;
let kind = 0x2a;
let target = -1;
let measureFrom = 0n;
let firstNs = null;
let complete = 0;
let cpuAtReady = null;
let stallMs = 10_000;
let lastProgress = Date.now();
let finished = false;
const latencies = [];
let samplesDropped = 0;

function onMessages(st, chunk, now) {
  const buf = st.carry === null ? chunk : Buffer.concat([st.carry, chunk]);
  const n = Math.floor(buf.length / W);
  for (let i = 0; i < n; i++) {
    const base = i * W;
    if (buf[base] !== kind)
      return fail(`unexpected bytes on a sampled socket: ${buf.toString('latin1', base, base + 16)}`);
    const sent = BigInt(buf.toString('latin1', base + payloadOffset, base + payloadOffset + STAMP_DIGITS));
    if (sent < measureFrom) continue;
    if (latencies.length < MAX_SAMPLES) latencies.push(Number(now - sent));
    else samplesDropped++;
  }
  st.carry = n * W === buf.length ? null : Buffer.from(buf.subarray(n * W));
}

function checkDone() {
  if (finished || target < 0 || complete < sockets.length) return;
  finished = true;
  let lastNs = 0n;
  for (const st of sockets) if (st.lastNs > lastNs) lastNs = st.lastNs;
  const cpu = process.cpuUsage(cpuAtReady);
  latencies.sort((a, b) => a - b);
  const at = (q) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null;
  send({
    type: 'done',
    firstNs: String(firstNs ?? lastNs),
    lastNs: String(lastNs),
    cpuUs: cpu.user + cpu.system,
    latency: {
      count: latencies.length,
      dropped: samplesDropped,
      p50Ns: at(0.5),
      p99Ns: at(0.99),
      p999Ns: at(0.999),
      maxNs: latencies.length ? latencies[latencies.length - 1] : null,
    },
  });
}

function settle(st) {
  if (target < 0 || st.done) return;
  const want = target * W;
  if (st.bytes > want)
    return fail(`a socket received ${st.bytes} bytes, expected ${want} (${target} messages)`);
  if (st.bytes === want) {
    st.done = true;
    complete++;
    checkDone();
  }
}

function openSocket(port, i, confirmation, hello, sample) {
  return new Promise((resolve, reject) => {
    const st = { bytes: 0, lastNs: 0n, done: false, sample, carry: null, pre: Buffer.alloc(0) };
    const sock = createConnection({ port, host: '127.0.0.1' });
    st.sock = sock;
    sock.once('connect', () => {
      sock.write(hello + encode(['SUBSCRIBE', confirmation.channel]));
    });
    const onData = (chunk) => {
      if (st.pre !== null) {
        // Before the confirmation: HELLO's reply, then [subscribe, channel, 1].
        st.pre = Buffer.concat([st.pre, chunk]);
        const at = st.pre.indexOf(confirmation.bytes);
        if (at < 0) return;
        const rest = st.pre.subarray(at + confirmation.bytes.length);
        st.pre = null;
        resolve(st);
        if (rest.length > 0) onData(Buffer.from(rest));
        return;
      }
      const now = process.hrtime.bigint();
      firstNs ??= now;
      st.lastNs = now;
      st.bytes += chunk.length;
      lastProgress = Date.now();
      if (st.sample) onMessages(st, chunk, now);
      settle(st);
    };
    sock.on('data', onData);
    sock.once('error', (e) => (st.pre !== null ? reject(e) : fail(`socket ${i}: ${e.message}`)));
    sock.once('close', () => {
      if (!finished) fail(`the server closed socket ${i} after ${st.bytes} message bytes`);
    });
  });
}

async function start(cfg) {
  stallMs = cfg.stallMs ?? stallMs;
  W = wireSize(cfg.channel, cfg.payloadSize);
  payloadOffset = W - cfg.payloadSize - 2;
  kind = cfg.resp === 3 ? 0x3e : 0x2a;
  const prefix = cfg.resp === 3 ? '>' : '*';
  const confirmation = {
    channel: cfg.channel,
    bytes: Buffer.from(
      `${prefix}3\r\n$9\r\nsubscribe\r\n$${Buffer.byteLength(cfg.channel)}\r\n${cfg.channel}\r\n:1\r\n`,
    ),
  };
  const hello = cfg.resp === 3 ? encode(['HELLO', '3']) : '';
  const every = cfg.sampleSockets > 0 ? Math.max(1, Math.floor(cfg.sockets / cfg.sampleSockets)) : 0;
  for (let i = 0; i < cfg.sockets; i += CONNECT_BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(cfg.sockets, i + CONNECT_BATCH); j++) {
      const sample = every > 0 && j % every === 0 && j / every < cfg.sampleSockets;
      batch.push(openSocket(cfg.port, j, confirmation, hello, sample));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  cpuAtReady = process.cpuUsage();
  send({ type: 'ready', wireSize: W });
}

process.on('message', (msg) => {
  if (msg.type === 'start') start(msg).catch((e) => fail(`subscribing: ${e.message}`));
  else if (msg.type === 'measure') measureFrom = BigInt(msg.fromNs);
  else if (msg.type === 'expect') {
    target = msg.messages;
    lastProgress = Date.now();
    for (const st of sockets) settle(st);
    const timer = setInterval(() => {
      if (finished) return clearInterval(timer);
      if (Date.now() - lastProgress > stallMs) {
        const got = sockets.reduce((s, st) => s + st.bytes, 0) / W;
        clearInterval(timer);
        fail(`no delivery for ${stallMs} ms: ${got} of ${target * sockets.length} messages arrived`);
      }
    }, 250);
  } else if (msg.type === 'verify') {
    const want = target * W;
    send({ type: 'verified', extraBytes: sockets.reduce((s, st) => s + Math.max(0, st.bytes - want), 0) });
  } else if (msg.type === 'stop') {
    for (const st of sockets) st.sock.destroy();
    sockets = [];
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
