/** Revocation: signed by the key itself, or confirmed by mail (docs/directory.md §Revocation). */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { EmailRevokeBody, PendingReply, RevokeBody, RevokeReply, responses } from '../schemas';
import type { DirectoryService } from '../services/directory-service';
import { NOT_FOUND_BODY } from '../services/http-error';

export interface RevokeRoutesOptions {
  directory: DirectoryService;
  limits: Config['limits'];
}

export async function revokeRoutes(app: FastifyInstance, opts: RevokeRoutesOptions): Promise<void> {
  const { directory, limits } = opts;

  app.post<{ Body: Static<typeof RevokeBody> }>(
    '/v1/revoke',
    {
      schema: { body: RevokeBody, response: responses({ 200: RevokeReply }) },
      config: { rateLimit: { ...limits.confirm, groupId: 'confirm' } },
    },
    async (req, reply) => {
      const r = await directory.revokeSigned(req.body);
      if (!r) return reply.code(404).send(NOT_FOUND_BODY);
      return { status: 'revoked' as const, bindings: r.revoked };
    },
  );

  app.post<{ Body: Static<typeof EmailRevokeBody> }>(
    '/v1/revoke/email',
    {
      schema: { body: EmailRevokeBody, response: responses({ 202: PendingReply }) },
      config: { rateLimit: { ...limits.mail, groupId: 'mail' } },
    },
    async (req, reply) => {
      await directory.requestEmailRevocation(req.body.address);
      return reply.code(202).send({ status: 'pending' });
    },
  );
}
