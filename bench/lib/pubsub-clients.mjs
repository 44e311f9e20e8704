/**
 * The two ends of bench/pubsub.mjs that are not redis-benchmark: subscriber processes
 * (lib/pubsub-subscriber.mjs, forked, their sockets split between them) driven over IPC, and a
 * paced publisher for the latency figures (one raw socket, PUBLISH at a fixed rate, each payload
 * starting with the process.hrtime.bigint() of its sending).
 */
import { fork } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';

const SUBSCRIBER = fileURLToPath(new URL('./pubsub-subscriber.mjs', import.meta.url));
/** Digits of the timestamp at the start of a timed payload (the subscriber reads as many). */
const STAMP_DIGITS = 20;

/** Resolve with the next IPC message of `type` from `child`; reject on 'failed' or exit. */
function nextMessage(child, type) {
  return new Promise((resolve, reject) => {
    // A failure reported (or an exit) while nobody was waiting still fails the next wait.
    if (child.failure) return reject(new Error(child.failure));
    if (child.exitCode !== null || child.signalCode !== null)
      return reject(new Error(`the subscriber process exited with ${child.exitCode ?? child.signalCode}`));
    const onMessage = (msg) => {
      if (msg.type !== type && msg.type !== 'failed') return;
      cleanup();
      if (msg.type === 'failed') reject(new Error(msg.reason));
      else resolve(msg);
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`the subscriber process exited with ${code}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Fork `procs` subscriber processes holding `sockets` subscribed sockets in all, the sampled ones
 * (`sampleSockets`, spread over the range) all in the first process so its percentiles are exact.
 * Resolves to { pids, wireSize, measureFrom(ns), expect(messages), verify(), stop() }.
 */
export async function startSubscribers({
  port,
  sockets,
  procs = 1,
  channel,
  resp = 2,
  payloadSize,
  sampleSockets = 0,
  stallMs = 10_000,
}) {
  const n = Math.max(1, Math.min(procs, sockets));
  const children = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (c.connected) c.send({ type: 'stop' });
            else c.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    const readies = [];
    for (let i = 0; i < n; i++) {
      const child = fork(SUBSCRIBER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (msg) => {
        if (msg.type === 'failed') child.failure ??= msg.reason;
      });
      const share = Math.floor(sockets / n) + (i < sockets % n ? 1 : 0);
      readies.push(nextMessage(child, 'ready'));
      child.send({
        type: 'start',
        port,
        sockets: share,
        channel,
        resp,
        payloadSize,
        sampleSockets: i === 0 ? Math.min(sampleSockets, share) : 0,
        stallMs,
      });
    }
    const [first] = await Promise.all(readies);
    return {
      pids: children.map((c) => c.pid),
      wireSize: first.wireSize,
      /** Time only messages sent at or after `fromNs` (a process.hrtime.bigint()). */
      measureFrom: (fromNs) => {
        for (const c of children) c.send({ type: 'measure', fromNs: String(fromNs) });
      },
      /**
       * Resolve once every socket holds exactly `messages` deliveries: { firstNs, lastNs (BigInt,
       * first and last arrival over every process), cpuUs (all subscriber processes), latency }.
       */
      expect: async (messages) => {
        const dones = children.map((c) => nextMessage(c, 'done'));
        for (const c of children) c.send({ type: 'expect', messages });
        const all = await Promise.all(dones);
        // BigInt nanoseconds: Math.min/max do not take them, a sort does.
        const byTime = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
        const firsts = all.map((d) => BigInt(d.firstNs)).sort(byTime);
        const lasts = all.map((d) => BigInt(d.lastNs)).sort(byTime);
        return {
          firstNs: firsts[0],
          lastNs: lasts[lasts.length - 1],
          cpuUs: all.reduce((s, d) => s + d.cpuUs, 0),
          latency: all[0].latency,
        };
      },
      /** Bytes received past the expected count, over every socket (0 when the count was exact). */
      verify: async () => {
        const replies = children.map((c) => nextMessage(c, 'verified'));
        for (const c of children) c.send({ type: 'verify' });
        return (await Promise.all(replies)).reduce((s, r) => s + r.extraBytes, 0);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * PUBLISH to `channel` at `rate` per second for `durationMs` over one raw socket, in a batch
 * each millisecond; every payload is `payloadSize` bytes starting with the send time
 * (process.hrtime.bigint(), 20 digits). Every reply must be `:receivers`. Resolves to { sent,
 * ms (until the last reply), sendMs (until the last write), wrongReceivers, errors, firstError }.
 */
export async function pacedPublish({ port, channel, rate, durationMs, payloadSize, receivers }) {
  if (payloadSize < STAMP_DIGITS) throw new Error(`--payload must be at least ${STAMP_DIGITS} bytes`);
  const sock = await new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const head = `*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n$${payloadSize}\r\n`;
  const fill = `${'x'.repeat(payloadSize - STAMP_DIGITS)}\r\n`;
  const want = `:${receivers}`;
  let sent = 0;
  let acked = 0;
  let wrongReceivers = 0;
  let errors = 0;
  let firstError = null;
  let pending = '';
  let sendMs = 0;
  sock.setNoDelay(true);
  sock.setEncoding('latin1');
  try {
    return await new Promise((resolve, reject) => {
      const t0 = performance.now();
      const finish = () => {
        if (sent === total && acked === total)
          resolve({ sent, ms: performance.now() - t0, sendMs, wrongReceivers, errors, firstError });
      };
      sock.on('data', (d) => {
        pending += d;
        let start = 0;
        for (let nl = pending.indexOf('\r\n', start); nl >= 0; nl = pending.indexOf('\r\n', start)) {
          const line = pending.slice(start, nl);
          if (line[0] === '-') {
            errors++;
            firstError ??= line.slice(1);
          } else if (line !== want) wrongReceivers++;
          acked++;
          start = nl + 2;
        }
        pending = pending.slice(start);
        finish();
      });
      sock.once('error', reject);
      sock.once('close', () => reject(new Error(`the server closed the publisher after ${acked} replies`)));
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
        let out = '';
        for (; sent < due; sent++)
          out += `${head}${process.hrtime.bigint().toString().padStart(STAMP_DIGITS, '0')}${fill}`;
        if (out) sock.write(out);
        if (sent < total) setTimeout(tick, 1);
        else sendMs = performance.now() - t0;
      };
      tick();
    });
  } finally {
    sock.removeAllListeners('close');
    sock.destroy();
  }
}
