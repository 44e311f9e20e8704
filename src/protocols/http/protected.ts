/**
 * Protected mode on the HTTP door (src/security/protected-mode.ts): while the default user needs
 * no password, a request from a non-loopback client is answered 403 before anything else runs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerApi } from '../../commands/context.js';
import { DENIED, refusedByProtectedMode } from '../../security/protected-mode.js';
import { type ErrorShape, failIn } from './respond.js';

export function refuseWhenProtected(
  app: FastifyInstance,
  server: ServerApi,
  shapeOf: (req: FastifyRequest) => ErrorShape,
): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (refusedByProtectedMode(server, req.socket.remoteAddress)) {
      reply.header('connection', 'close');
      failIn(shapeOf(req), reply, DENIED);
      return;
    }
    done();
  });
}
