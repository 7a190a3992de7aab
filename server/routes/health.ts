import type { FastifyInstance } from 'fastify';
import { HealthReply, responses } from '../schemas';

/** Liveness for process managers and the crash test; says nothing about the data. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/v1/health', { schema: { response: responses({ 200: HealthReply }) } }, async () => ({
    status: 'ok' as const,
  }));
}
