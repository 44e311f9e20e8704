/**
 * The HTTP door's life: build the app, listen on every `bind` address, and close in the fixed
 * order the lifecycle expects: stop accepting (new requests get 503 with `Connection: close`),
 * let in-flight requests finish within the grace period, then force-close what is left.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { type Metrics, metricsFor } from '../../observability/metrics.js';
import type { DoorHandle, DoorHost, DoorOptions } from '../door.js';
import { buildHttpApp, CONNECTIONS_CHECK_MS, type HttpSettings, settingsFrom } from './app.js';
import { createDoorServer, httpTls, onDoorConnection } from './tls.js';

export interface HttpDoorOptions extends DoorOptions {
  /** Overrides of what the config says (tests). */
  settings?: Partial<HttpSettings>;
  /** Defaults to the server's one metrics set (`metricsFor`). */
  metrics?: Metrics;
}

/** How often idle keep-alive connections are reaped while draining. */
const DRAIN_POLL_MS = 50;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

export async function startHttpDoor(host: DoorHost, opts: HttpDoorOptions): Promise<DoorHandle> {
  const config = host.server.config;
  const settings: HttpSettings = { ...settingsFrom(config), ...opts.settings };
  const { app, bridge, fastPath, handle } = await buildHttpApp(
    host,
    settings,
    opts.metrics ?? metricsFor(host.server),
  );

  // `bind` may list several addresses: the first is Fastify's own server, the others extra
  // servers feeding the same router.
  const addresses = opts.host.split(/\s+/).filter((a) => a !== '');
  if (addresses.length === 0) addresses.push('127.0.0.1');
  const servers: Server[] = [app.server];
  for (let i = 1; i < addresses.length; i++) {
    const s = createDoorServer(
      httpTls(config),
      { maxHeaderSize: settings.maxHeaderBytes, connectionsCheckingInterval: CONNECTIONS_CHECK_MS },
      (req, res) => handle(req, res),
    );
    s.on('clientError', (err, socket) => app.server.emit('clientError', err, socket));
    servers.push(s);
  }
  const setTimeouts = (requestMs: number, keepAliveMs: number) => {
    // Slowloris: a client trickling its headers is closed (408) after http-header-timeout-ms.
    // Node only enforces requestTimeout when headersTimeout is not longer: keep it within.
    const headerMs = config.int('http-header-timeout-ms');
    for (const s of servers) {
      s.requestTimeout = requestMs;
      s.headersTimeout =
        headerMs > 0 && requestMs > 0 ? Math.min(headerMs, requestMs) : headerMs || requestMs;
      s.keepAliveTimeout = keepAliveMs;
    }
  };
  setTimeouts(settings.requestTimeoutMs, settings.keepAliveTimeoutMs);
  const stopWatching = config.onChange((name) => {
    if (
      name === 'http-request-timeout-ms' ||
      name === 'http-keepalive-timeout-ms' ||
      name === 'http-header-timeout-ms'
    ) {
      setTimeouts(config.int('http-request-timeout-ms'), config.int('http-keepalive-timeout-ms'));
    }
  });
  for (const s of servers) onDoorConnection(s, httpTls(config), (socket: Socket) => bridge.attach(socket));

  let port: number;
  try {
    port = await app.listen({ host: addresses[0], port: opts.port }).then(() => {
      const a = app.server.address();
      return typeof a === 'object' && a !== null ? a.port : opts.port;
    });
    for (let i = 1; i < servers.length; i++) await listen(servers[i], addresses[i], port);
  } catch (err) {
    stopWatching();
    bridge.close();
    for (let i = 1; i < servers.length; i++) servers[i].close();
    await app.close();
    throw err;
  }

  host.server.infoSections.set('http', () => [
    ['http_port', port],
    ['http_sse_streams', bridge.sse.size],
    ['http_sse_slow_disconnects', bridge.sse.slowDisconnects],
    ['http_fast_path_requests', fastPath?.served ?? 0],
  ]);

  let drained: Promise<unknown> | null = null;
  const stopAccepting = async (): Promise<void> => {
    if (drained !== null) return;
    bridge.accepting = false;
    // Endless responses would hold the drain up to the grace period: end them now (an
    // EventSource reconnects, and finds another server or a 503).
    bridge.sse.endAll();
    // app.close stops listening, closes idle keep-alive connections and marks every later
    // response `Connection: close`; it resolves once every connection has ended.
    drained = Promise.all([
      app.close(),
      ...servers.slice(1).map((s) => new Promise<void>((r) => s.close(() => r()))),
    ]);
  };

  return {
    door: 'http',
    port,
    host: addresses[0],
    stopAccepting,
    async close(graceMs: number): Promise<void> {
      await stopAccepting();
      const reaper = setInterval(() => {
        for (const s of servers) s.closeIdleConnections();
      }, DRAIN_POLL_MS);
      reaper.unref();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((r) => {
        timer = setTimeout(r, graceMs);
        timer.unref();
      });
      await Promise.race([drained, graceOver]);
      for (const s of servers) s.closeAllConnections();
      await drained;
      clearInterval(reaper);
      clearTimeout(timer);
      stopWatching();
      bridge.close();
      host.server.infoSections.delete('http');
    },
  };
}
