/**
 * The gRPC door: a grpc-js server for `cairn.v1.CairnService` (proto/cairn/v1/cairn.proto),
 * plus health and reflection. Every RPC runs through the shared command table (rpcs.ts,
 * scan.ts); Watch follows the keyspace change events (watch.ts); Subscribe and Publish are
 * pub/sub (subscribe.ts).
 *
 * Bounds: `grpc-max-message-bytes` caps a request message (grpc-js answers RESOURCE_EXHAUSTED
 * and the connection carries on), `grpc-max-concurrent-streams` caps calls per connection,
 * `grpc-watch-buffer` caps how far a Watch may fall behind. Load shedding and `maxclients` over
 * all calls: load.ts.
 *
 * Shutdown: stopAccepting() answers new calls UNAVAILABLE, turns health NOT_SERVING, ends the
 * endless streams (Watch, Subscribe, health Watch) and starts grpc-js's tryShutdown (GOAWAY: running
 * calls finish, no new ones); close(graceMs) waits for that up to the grace period, then
 * forceShutdown() cancels whatever is left.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { CairnService } from '../../gen/cairn/v1/cairn_pb.js';
import { acquirePressure } from '../../observability/pressure.js';
import { doorTls } from '../../security/tls.js';
import type { DoorHandle, DoorHost, DoorOptions } from '../door.js';
import { CallGate } from './calls.js';
import { addReflection, HealthState } from './discovery.js';
import { CallLoad } from './load.js';
import { protectedModeInterceptor } from './protected.js';
import { cairnRpcs } from './rpcs.js';
import { scanHandler } from './scan.js';
import { grpcServiceDefinition } from './service-def.js';
import { publishHandler, SubscribeHub } from './subscribe.js';
import { type GrpcTlsListeners, listenGrpcTls } from './tls.js';
import { WatchHub } from './watch.js';

/** `host:port` as grpc-js wants it (IPv6 literals in brackets). */
function address(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function bind(server: Server, addr: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(addr, ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    );
  });
}

export async function startGrpcDoor(host: DoorHost, opts: DoorOptions): Promise<DoorHandle> {
  const config = host.server.config;
  const server = new Server({
    'grpc.max_receive_message_length': config.int('grpc-max-message-bytes'),
    'grpc.max_concurrent_streams': config.int('grpc-max-concurrent-streams'),
    interceptors: [protectedModeInterceptor(host.server)],
  });
  const hosts = opts.host.split(/\s+/).filter((h) => h !== '');
  if (hosts.length === 0) hosts.push('127.0.0.1');

  // Bind the first address (port 0 picks one), then the others on the same port. With a
  // certificate, Cairn's own TLS listeners accept the connections instead (tls.ts).
  let port: number;
  let tlsListeners: GrpcTlsListeners | null = null;
  try {
    const tls = doorTls(config, 'grpc');
    if (tls !== null) {
      tlsListeners = await listenGrpcTls(server, hosts, opts.port, tls, (err, socket) =>
        host.logger.debug({ err: err.message, addr: socket.remoteAddress }, 'gRPC TLS handshake failed'),
      );
      port = tlsListeners.port;
    } else {
      port = await bind(server, address(hosts[0], opts.port));
      for (const h of hosts.slice(1)) await bind(server, address(h, port));
    }
  } catch (err) {
    server.forceShutdown();
    throw err;
  }

  const pressure = acquirePressure(host.server);
  const gate = new CallGate(host, address(hosts[0], port), new CallLoad(host, pressure));
  const deps = { host, gate };
  const watches = new WatchHub(host, gate);
  const subscriptions = new SubscribeHub(host, gate);
  const health = new HealthState(host.server);
  server.addService(grpcServiceDefinition(CairnService), {
    ...cairnRpcs(deps),
    Scan: scanHandler(deps),
    Watch: watches.handler,
    Subscribe: subscriptions.handler,
    Publish: publishHandler(deps),
  });
  health.addTo(server);
  addReflection(server);
  host.server.infoSections.set('grpc', () => [
    ['grpc_port', port],
    ['grpc_watch_streams', watches.size],
    ['grpc_subscribe_streams', subscriptions.size],
    ['grpc_subscribe_slow_disconnects', subscriptions.slowDisconnects],
  ]);

  let drained: Promise<void> | null = null;
  const stopAccepting = async (): Promise<void> => {
    if (drained !== null) return;
    gate.closing = true;
    health.stop();
    watches.endAll();
    subscriptions.endAll();
    tlsListeners?.close();
    drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  };

  return {
    door: 'grpc',
    port,
    host: hosts[0],
    stopAccepting,
    async close(graceMs: number): Promise<void> {
      await stopAccepting();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      });
      await Promise.race([drained, grace]);
      clearTimeout(timer);
      // Cancels calls still running after the grace period (and is harmless when none are).
      server.forceShutdown();
      host.server.infoSections.delete('grpc');
      subscriptions.close();
      pressure.release();
    },
  };
}
