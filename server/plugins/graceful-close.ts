/**
 * Graceful close: once `app.close()` starts (SIGTERM/SIGINT in main.ts), the
 * requests still in flight finish, and their answers say `Connection: close`.
 * Without it, their keep-alive sockets would hold the server open for the
 * keep-alive timeout (Node closes only the connections idle at close time).
 */
import type { FastifyInstance } from 'fastify';

export function gracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
