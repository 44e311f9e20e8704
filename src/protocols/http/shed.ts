/**
 * Load shedding on the HTTP door, through @fastify/under-pressure. What "under pressure" means
 * is decided once for every door by the server's pressure gauge (src/observability/pressure.ts,
 * the `shed-*` options, followed at run time); the plugin runs it as its health check and, while
 * it fails, answers each request 503 with `Retry-After` in the route's error shape before the
 * body is read or a command runs.
 *
 * Not shed: `/healthz` (the process is alive, and restarting it would not help), `/metrics`
 * (operators need to see why), and `/readyz`, which answers 503 `ready: false` with the reason
 * itself, so that load balancers stop sending traffic until the pressure is gone.
 */
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerApi } from '../../commands/context.js';
import { ErrorReply } from '../../errors.js';
import { acquirePressure, type Pressure, shedMessage } from '../../observability/pressure.js';
import { errorBody } from './render.js';
import { commandErrorBody, type ErrorShape } from './respond.js';

/** How often the plugin asks the gauge (which itself changes at most every sample). */
const HEALTH_CHECK_MS = 100;

const NOT_SHED: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export function overloaded(reason: string): ErrorReply {
  return new ErrorReply('OVERLOADED', shedMessage(reason));
}

/** Register the plugin; returns the gauge (released when the app closes). */
export async function registerShedding(
  app: FastifyInstance,
  server: ServerApi,
  shapeOf: (req: FastifyRequest) => ErrorShape,
): Promise<Pressure> {
  const pressure = acquirePressure(server);
  app.addHook('onClose', (_app, done) => {
    pressure.release();
    done();
  });

  /**
   * The plugin sends what this returns and ends the request there; undefined lets the request
   * through. The body is rendered here, so no route's response schema reshapes it.
   */
  const shed = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
    const url = req.routeOptions.url;
    if (url !== undefined && NOT_SHED.has(url)) return undefined;
    const reason = pressure.underPressure();
    if (reason === null) return undefined; // the pressure went away since the last check
    pressure.shed++;
    const e = overloaded(reason);
    reply.code(e.http).header('retry-after', String(pressure.retryAfterSeconds)).type('application/json');
    return shapeOf(req) === 'command' ? commandErrorBody(e) : JSON.stringify(errorBody(e));
  };

  await app.register(underPressure, {
    healthCheck: async () => pressure.underPressure() === null,
    healthCheckInterval: HEALTH_CHECK_MS,
    // Its typings say void; returning the body is how it is told to answer and stop.
    pressureHandler: shed as unknown as FastifyUnderPressureOptions['pressureHandler'],
  });
  return pressure;
}
