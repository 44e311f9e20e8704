/**
 * The RESP door: TCP listeners on each `bind` address, one RespConnection per socket, a once a
 * second check of idle and soft-limited clients (Redis's clientsCron), and the shutdown order
 * stop accepting -> let in-flight commands finish -> force-close.
 */
import { type AddressInfo, createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { DoorHandle, DoorHost, DoorOptions } from '../door.js';
import { acceptConnection, type RespConnection } from './connection.js';
import { followLimits, readLimits } from './limits.js';

/** How often idle timeouts and soft output limits are checked. */
const CRON_INTERVAL_MS = 1000;

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
  const servers: Server[] = [];

  const onSocket = (socket: Socket): void => {
    try {
      socket.setNoDelay(true);
      if (limits.keepAliveMs > 0) socket.setKeepAlive(true, limits.keepAliveMs);
      const conn = acceptConnection(host, socket, limits, (c) => conns.delete(c));
      if (conn !== null) conns.add(conn);
    } catch (err) {
      logger.error({ err }, 'could not accept a RESP connection');
      socket.destroy();
    }
  };

  let port = opts.port;
  try {
    for (const { addr, optional } of parseBind(opts.host)) {
      const srv = createServer({ noDelay: true }, onSocket);
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
      servers.push(srv);
    }
    if (servers.length === 0) throw new Error(`RESP door: nothing to listen on in bind "${opts.host}"`);
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

  let accepting = true;
  const stopAccepting = async (): Promise<void> => {
    if (!accepting) return;
    accepting = false;
    // close() stops listening at once; its callback would wait for every connection to end.
    for (const s of servers) s.close();
  };

  return {
    door: 'resp',
    port,
    host: opts.host,
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
