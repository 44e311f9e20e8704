/**
 * Load shedding on the HTTP door. What "under pressure" means is decided once for every door by
 * the server's pressure gauge (src/observability/pressure.ts, the `shed-*` options, followed at
 * run time); while it says so, an onRequest hook answers each request 503 with `Retry-After` in
 * the route's error shape before the body is read or a command runs. Asking the gauge reads one
 * field, so the hook costs a request nothing while there is no pressure (and adds no timers of
 * its own: the gauge's sampling is all there is).
 *
 * Not shed: `/healthz` (the process is alive, and restarting it would not help), `/metrics`
 * (operators need to see why), and `/readyz`, which answers 503 `ready: false` with the reason
 * itself, so that load balancers stop sending traffic until the pressure is gone.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerApi } from '../../commands/context.js';
import { ErrorReply } from '../../errors.js';
import { acquirePressure, type Pressure, shedMessage } from '../../observability/pressure.js';
import { errorBody } from './render.js';
import { commandErrorBody, type ErrorShape } from './respond.js';

const NOT_SHED: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export function overloaded(reason: string): ErrorReply {
  return new ErrorReply('OVERLOADED', shedMessage(reason));
}

/** Register the hook; returns the gauge (released when the app closes). */
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

  /** The body of a 503 for this request, or undefined to let it through. */
  const shed = (req: FastifyRequest, reply: FastifyReply, reason: string): string | undefined => {
    const url = req.routeOptions.url;
    if (url !== undefined && NOT_SHED.has(url)) return undefined;
    pressure.shed++;
    const e = overloaded(reason);
    reply.code(e.http).header('retry-after', String(pressure.retryAfterSeconds)).type('application/json');
    return shapeOf(req) === 'command' ? commandErrorBody(e) : JSON.stringify(errorBody(e));
  };

  app.addHook('onRequest', (req, reply, done) => {
    const reason = pressure.underPressure();
    const body = reason === null ? undefined : shed(req, reply, reason);
    // Sent as a string, so no route's response schema reshapes it.
    if (body === undefined) done();
    else reply.send(body);
  });
  return pressure;
}
