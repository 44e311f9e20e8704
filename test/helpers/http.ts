/**
 * An in-process Cairn for HTTP door tests that need to steer time (ManualClock) or look at
 * the server's state: the real command table and dispatcher, the HTTP door and the RESP door
 * on free loopback ports. Black-box tests of the compiled server use test/helpers/cairn.ts.
 */

import { metricsFor } from '../../src/observability/metrics.js';
import type { DoorHandle } from '../../src/protocols/door.js';
import type { HttpSettings } from '../../src/protocols/http/app.js';
import { startHttpDoor } from '../../src/protocols/http/server.js';
import { startRespDoor } from '../../src/protocols/resp/server.js';
import { createTestServer, type TestServer } from '../../src/server/testing.js';

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
  opts: { config?: Record<string, string>; settings?: Partial<HttpSettings>; resp?: boolean } = {},
): Promise<HttpCairn> {
  const t = createTestServer({ config: opts.config });
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
