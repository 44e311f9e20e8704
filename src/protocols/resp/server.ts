/**
 * The RESP door: TCP listeners on each `bind` address (plaintext on `port`, TLS on `tls-port`),
 * one RespConnection per socket, a once a second check of idle and soft-limited clients (Redis's
 * clientsCron), and the shutdown order stop accepting -> let in-flight commands finish ->
 * force-close. Protected mode refuses non-loopback clients with Redis's DENIED error.
 */
import { type AddressInfo, createServer, isIPv6, type Server, type Socket } from 'node:net';
import { DENIED_MESSAGE, refusedByProtectedMode } from '../../security/protected-mode.js';
import { createTlsServer, requireTls } from '../../security/tls.js';
import type { DoorHandle, DoorHost, DoorOptions } from '../door.js';
import { acceptConnection } from './accept.js';
import type { RespConnection } from './connection.js';
import { followLimits, readLimits } from './limits.js';
import { TurnBatch } from './turn.js';

/** How often idle timeouts and soft output limits are checked. */
const CRON_INTERVAL_MS = 1000;

/** How long a refused client has to read its error before the socket is destroyed. */
const REFUSED_LINGER_MS = 1000;
const DENIED_LINE = Buffer.from(`-${DENIED_MESSAGE}\r\n`);

/**
 * Write one error line and close. Input is read and dropped meanwhile: closing with unread
 * input sends a reset, which can reach the client before the error does.
 */
function refuse(socket: Socket, line: Buffer): void {
  socket.on('error', () => {});
  const timer = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
  socket.end(line);
}

/** Redis `bind` words: `*` is every IPv4 address, `::*` every IPv6 one; `-addr` is optional. */
function parseBind(words: string): Array<{ addr: string; optional: boolean }> {
  return words
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => {
      const optional = w.startsWith('-');
      let addr = optional ? w.slice(1) : w;
      if (addr === '*') addr = '0.0.0.0';
      else if (addr === '::*') addr = '::';
      return { addr, optional };
    });
}

function listen(srv: Server, port: number, addr: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    srv.once('error', onError);
    srv.listen({ port, host: addr, ipv6Only: isIPv6(addr), exclusive: true }, () => {
      srv.off('error', onError);
      resolve();
    });
  });
}

export async function startRespDoor(host: DoorHost, opts: DoorOptions): Promise<DoorHandle> {
  const config = host.server.config;
  const logger = host.logger;
  const limits = readLimits(config);
  const unfollow = followLimits(config, limits);
  const conns = new Set<RespConnection>();
  const turn = new TurnBatch();
  const servers: Server[] = [];
  let accepting = true;

  const onSocket = (socket: Socket): void => {
    if (refusedByProtectedMode(host.server, socket.remoteAddress)) {
      host.server.stats.rejectedConnections++;
      refuse(socket, DENIED_LINE);
      return;
    }
    try {
      socket.setNoDelay(true);
      if (limits.keepAliveMs > 0) socket.setKeepAlive(true, limits.keepAliveMs);
      const conn = acceptConnection(host, socket, limits, turn, (c) => conns.delete(c));
      if (conn !== null) conns.add(conn);
    } catch (err) {
      logger.error({ err }, 'could not accept a RESP connection');
      socket.destroy();
    }
  };

  /**
   * One listener per bind address, added to `into`; returns the port (picked by the first one
   * for port 0). On a failure the listeners it opened are closed again.
   */
  const listenAll = async (
    wanted: number,
    create: () => Server,
    words: string,
    into: Server[],
  ): Promise<number> => {
    let port = wanted;
    const made: Server[] = [];
    try {
      for (const { addr, optional } of parseBind(words)) {
        const srv = create();
        srv.on('error', (err) => logger.error({ err, addr }, 'RESP listener error'));
        try {
          await listen(srv, port, addr);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
            logger.warn({ addr, code }, 'optional bind address is not available, skipped');
            continue;
          }
          throw err;
        }
        // With port 0 the first listener picks the port and the others share it, as with Redis.
        if (port === 0) port = (srv.address() as AddressInfo).port;
        made.push(srv);
      }
      if (made.length === 0) throw new Error(`RESP door: nothing to listen on in bind "${words}"`);
    } catch (err) {
      for (const srv of made) srv.close();
      throw err;
    }
    into.push(...made);
    servers.push(...made);
    return port;
  };
  const createPlain = () => createServer({ noDelay: true }, onSocket);
  /** The plaintext listeners (CONFIG SET port / bind replace them). */
  let plain: Server[] = [];
  let bindWords = opts.host;

  // `port -1`: no plaintext listener (reported as port 0, as Redis reports a disabled port).
  let port = 0;
  let tlsPort: number | undefined;
  try {
    const tlsWanted = opts.tlsPort ?? -1;
    // Certificate files are checked before anything listens.
    const tls = tlsWanted >= 0 ? requireTls(config, 'tls-port') : null;
    if (opts.port >= 0) port = await listenAll(opts.port, createPlain, bindWords, plain);
    if (tls !== null) {
      const onTlsError = (err: Error, socket: Socket) =>
        logger.debug({ err: err.message, addr: socket.remoteAddress }, 'RESP TLS handshake failed');
      // A handshake still running when the door stops accepting ends without service.
      const onSecure = (socket: Socket) => (accepting ? onSocket(socket) : socket.destroy());
      tlsPort = await listenAll(
        tlsWanted,
        () => createTlsServer(tls, {}, onSecure, onTlsError),
        bindWords,
        [],
      );
    }
  } catch (err) {
    unfollow();
    for (const s of servers) s.close();
    throw err;
  }

  const cron = setInterval(() => {
    const now = host.server.clock.now();
    for (const c of conns) c.cron(now);
  }, CRON_INTERVAL_MS);
  cron.unref();

  const stopAccepting = async (): Promise<void> => {
    if (!accepting) return;
    accepting = false;
    // close() stops listening at once; its callback would wait for every connection to end.
    for (const s of servers) s.close();
  };

  const closePlain = (): void => {
    for (const s of plain) {
      s.close();
      servers.splice(servers.indexOf(s), 1);
    }
    plain = [];
  };

  /**
   * CONFIG SET port / bind (Redis's changeListenPort / changeBindAddr): listen anew, keeping the
   * connections already made. A new port is opened before the old one closes; new addresses on
   * the same port after the old ones close, and on a failure the old ones are opened again.
   * Port 0 (or -1) stops the plaintext listener. Rejects when the new listeners cannot open.
   */
  const rebind = async (newHost: string, newPort: number): Promise<number> => {
    if (!accepting) throw new Error('the server is shutting down');
    if (newPort <= 0) {
      closePlain();
      bindWords = newHost;
      port = 0;
      return 0;
    }
    if (newPort !== port || plain.length === 0) {
      const fresh: Server[] = [];
      const got = await listenAll(newPort, createPlain, newHost, fresh);
      closePlain();
      plain = fresh;
      bindWords = newHost;
      port = got;
      return got;
    }
    closePlain();
    try {
      await listenAll(newPort, createPlain, newHost, plain);
      bindWords = newHost;
    } catch (err) {
      await listenAll(port, createPlain, bindWords, plain).catch((e) =>
        logger.error({ err: e }, 'could not listen again on the previous RESP addresses'),
      );
      throw err;
    }
    return port;
  };

  return {
    door: 'resp',
    port,
    tlsPort,
    host: opts.host,
    rebind,
    stopAccepting,
    async close(graceMs: number): Promise<void> {
      await stopAccepting();
      clearInterval(cron);
      unfollow();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all([...conns].map((c) => c.drain())), grace]);
      clearTimeout(timer);
      const left = [...conns];
      if (left.length > 0)
        logger.warn({ clients: left.length }, 'closing RESP clients still busy after the grace period');
      for (const c of left) c.destroy();
      await Promise.all(left.map((c) => c.done));
    },
  };
}
