/**
 * Operations endpoints: liveness, readiness (not while loading data, shutting down or under
 * pressure) and Prometheus metrics. They answer during shutdown and are never load-shed, so
 * load balancers see the state change.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerApi } from '../../../commands/context.js';
import type { Metrics } from '../../../observability/metrics.js';
import type { Pressure } from '../../../observability/pressure.js';
import { HealthResponse, ReadyResponse } from '../schemas.js';

const TAGS = ['operations'];

function totalKeys(server: ServerApi): number {
  let n = 0;
  for (let db = 0; db < server.keyspace.databases; db++) n += server.keyspace.dbSize(db);
  return n;
}

export function opsRoutes(
  app: FastifyInstance,
  server: ServerApi,
  metrics: Metrics,
  accepting: () => boolean,
  pressure: Pressure,
): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: TAGS,
        operationId: 'healthz',
        summary: 'Liveness: the process answers',
        response: { 200: HealthResponse },
      },
    },
    (_req, reply) => {
      reply.send({ status: 'ok', uptime_ms: server.clock.now() - server.startedAt });
    },
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: TAGS,
        operationId: 'readyz',
        summary: 'Readiness: 200 when serving, 503 while loading data, shutting down or shedding load',
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    (_req, reply) => {
      const closing = server.closing || !accepting();
      const overloaded = pressure.underPressure();
      const ready = !server.loading && !closing && overloaded === null;
      const body = { ready, loading: server.loading, closing, keys: totalKeys(server) };
      reply.code(ready ? 200 : 503).send(overloaded === null ? body : { ...body, overloaded });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: TAGS,
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        description:
          'Commands and errors by command and door, command latency histograms, keys, expirations, memory, ' +
          'connections per door, and process figures.',
        produces: ['text/plain'],
        response: { 200: { description: 'Prometheus text format 0.0.4.', type: 'string' } },
      },
    },
    async (_req, reply) => {
      const text = await metrics.registry.metrics();
      reply.type(metrics.registry.contentType).send(text);
    },
  );
}
