/**
 * Cairn for HTTP door tests, two ways: the compiled server as a child process
 * (`startCompiledCairn`, through test/helpers/cairn.ts) for black-box tests, and an in-process
 * server (`startHttpCairn`) for tests that steer time (ManualClock) or the server's state: the
 * real command table and dispatcher, the HTTP door and the RESP door on free loopback ports.
 */
import { Redis } from 'ioredis';

import { metricsFor } from '../../src/observability/metrics.js';
import type { DoorHandle } from '../../src/protocols/door.js';
import type { HttpSettings } from '../../src/protocols/http/app.js';
import { startHttpDoor } from '../../src/protocols/http/server.js';
import { startRespDoor } from '../../src/protocols/resp/server.js';
import { createTestServer, type TestServer, type TestServerOptions } from '../../src/server/testing.js';
import { startCairn } from './cairn.js';

export interface CompiledCairn {
  /** `http://127.0.0.1:<port>` */
  base: string;
  httpPort: number;
  respPort: number;
  /** An ioredis client on the RESP door (closed by stop). */
  redis: Redis;
  stop(): Promise<number | null>;
}

/** `node dist/cli/main.js --port 0 --http-port 0 ...args` with a RESP client ready. */
export async function startCompiledCairn(args: string[] = [], password?: string): Promise<CompiledCairn> {
  const cairn = await startCairn({ args: ['--grpc-port', '-1', ...args] });
  if (!cairn.httpPort) {
    await cairn.stop();
    throw new Error(`the HTTP door did not start:\n${cairn.logs()}`);
  }
  const redis = new Redis({ port: cairn.respPort, host: '127.0.0.1', password });
  return {
    base: `http://127.0.0.1:${cairn.httpPort}`,
    httpPort: cairn.httpPort,
    respPort: cairn.respPort,
    redis,
    async stop() {
      redis.disconnect();
      return cairn.stop();
    },
  };
}

export interface HttpCairn {
  /** `http://127.0.0.1:<port>` */
  base: string;
  httpPort: number;
  respPort: number;
  t: TestServer;
  http: DoorHandle;
  stop(): Promise<void>;
}

export async function startHttpCairn(
  opts: {
    config?: Record<string, string>;
    settings?: Partial<HttpSettings>;
    resp?: boolean;
    /** The keyspace (createTestServer's default: the Map keyspace on the test clock). */
    keyspace?: TestServerOptions['keyspace'];
  } = {},
): Promise<HttpCairn> {
  // No shedding for event-loop delay unless the test asks (as startCairn): vitest's workers
  // share a loaded machine, where the delay passes the 1000 ms default and answers turn 503.
  const config = { 'shed-event-loop-delay-ms': '0', ...opts.config };
  const t = createTestServer({ config, keyspace: opts.keyspace });
  const metrics = metricsFor(t.server);
  t.server.dispatcher.observer = metrics.observer;
  const http = await startHttpDoor(t.host, { host: '127.0.0.1', port: 0, settings: opts.settings, metrics });
  const resp = opts.resp === false ? null : await startRespDoor(t.host, { host: '127.0.0.1', port: 0 });
  t.server.ports.http = http.port;
  if (resp !== null) t.server.ports.resp = resp.port;
  return {
    base: `http://127.0.0.1:${http.port}`,
    httpPort: http.port,
    respPort: resp?.port ?? 0,
    t,
    http,
    async stop() {
      await http.close(0);
      if (resp !== null) await resp.close(0);
      t.close();
    },
  };
}

/** A parsed JSON answer: tests read whatever shape the route gives. */
// biome-ignore lint/suspicious/noExplicitAny: assertions check the shape
export type Json = any;

/** fetch + JSON, for brevity. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; headers: Headers; text: string }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body =
      typeof body === 'string' || body instanceof Uint8Array
        ? (body as string | Uint8Array<ArrayBuffer>)
        : JSON.stringify(body);
    if (!(typeof body === 'string' || body instanceof Uint8Array))
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: Json = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, headers: res.headers, text };
}
