/**
 * The bare Node reference for the RESP door: node:net + a Map, the least a Node server can do
 * to answer redis-benchmark's SET, GET, MSET, INCR and PING (pipelined, one write per input
 * chunk). CONFIG answers an empty array, so redis-benchmark starts without a warning.
 * Prints {"port":N}. `node bench/lib/bare-resp.mjs`
 */
import { createServer } from 'node:net';

const map = new Map();
const reply = (argv) => {
  const cmd = argv[0].toUpperCase();
  if (cmd === 'GET') {
    const v = map.get(argv[1]);
    return v === undefined ? '$-1\r\n' : `$${Buffer.byteLength(v, 'latin1')}\r\n${v}\r\n`;
  }
  if (cmd === 'SET') return map.set(argv[1], argv[2]) && '+OK\r\n';
  if (cmd === 'MSET') {
    for (let i = 1; i + 1 < argv.length; i += 2) map.set(argv[i], argv[i + 1]);
    return '+OK\r\n';
  }
  if (cmd === 'INCR') {
    const n = Number(map.get(argv[1]) ?? 0) + 1;
    map.set(argv[1], String(n));
    return `:${n}\r\n`;
  }
  if (cmd === 'PING') return '+PONG\r\n';
  if (cmd === 'CONFIG') return '*0\r\n';
  return `-ERR unknown command '${argv[0]}'\r\n`;
};

createServer((sock) => {
  let buf = '';
  sock.setNoDelay(true);
  sock.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    let out = '';
    let at = 0;
    for (;;) {
      if (at >= buf.length) break;
      let nl = buf.indexOf('\r\n', at);
      if (nl < 0) break;
      if (buf[at] !== '*') {
        // inline command (PING from health checks)
        out += reply(buf.slice(at, nl).split(' '));
        at = nl + 2;
        continue;
      }
      const n = Number(buf.slice(at + 1, nl));
      const argv = [];
      let p = nl + 2;
      for (let i = 0; i < n; i++) {
        nl = buf.indexOf('\r\n', p);
        if (nl < 0) break;
        const len = Number(buf.slice(p + 1, nl));
        if (nl + 2 + len + 2 > buf.length) break;
        argv.push(buf.slice(nl + 2, nl + 2 + len));
        p = nl + 2 + len + 2;
      }
      if (argv.length < n) break; // incomplete: wait for more input
      out += reply(argv);
      at = p;
    }
    buf = buf.slice(at);
    if (out) sock.write(out, 'latin1');
  });
  sock.on('error', () => {});
}).listen(0, '127.0.0.1', function () {
  process.stdout.write(`${JSON.stringify({ port: this.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
