/**
 * Publishing and lookups (docs/directory.md §API). Lookups answer only
 * verified bindings, by exact normalised address or by fingerprint; every
 * kind of miss (unknown, unverified, revoked, malformed) is the same 404.
 * No listing, no search.
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config';
import type { LogWriter } from '../log/log-writer';
import type { Binding } from '../repositories/directory-repository';
import {
  AddressParams,
  FingerprintParams,
  LookupQuery,
  LookupReply,
  PublishBody,
  PublishReply,
  responses,
} from '../schemas';
import type { DirectoryService } from '../services/directory-service';
import { HttpError, NOT_FOUND_BODY } from '../services/http-error';

export interface KeyRoutesOptions {
  directory: DirectoryService;
  limits: Config['limits'];
  transparency: LogWriter;
}

export async function keyRoutes(app: FastifyInstance, opts: KeyRoutesOptions): Promise<void> {
  const { directory, limits, transparency } = opts;
  const lookupLimit = { rateLimit: { ...limits.lookup, groupId: 'lookup' } };

  app.post<{ Body: Static<typeof PublishBody> }>(
    '/v1/keys',
    {
      schema: { body: PublishBody, response: responses({ 200: PublishReply, 202: PublishReply }) },
      config: { rateLimit: { ...limits.mail, groupId: 'mail' } },
    },
    async (req, reply) => {
      const outcome = await directory.publish(req.body);
      return reply.code(outcome.status === 'pending' ? 202 : 200).send(outcome);
    },
  );

  async function answer(binding: Binding | undefined, known: string | undefined, reply: FastifyReply) {
    if (!binding) return reply.code(404).send(NOT_FOUND_BODY);
    let proof = null;
    if (transparency.lookupTransparency) {
      try {
        proof = await transparency.lookupTransparency(binding.logIndex, known ? Number(known) : 0);
      } catch (e) {
        const status = (e as { status?: number }).status;
        if (status === 400) throw new HttpError(400, (e as Error).message);
        throw e;
      }
    }
    reply.header('cache-control', 'no-store');
    return reply.code(200).send({ bundle: binding.bundle, transparency: proof });
  }

  app.get<{ Params: Static<typeof AddressParams>; Querystring: Static<typeof LookupQuery> }>(
    '/v1/keys/:address',
    {
      schema: { params: AddressParams, querystring: LookupQuery, response: responses({ 200: LookupReply }) },
      config: lookupLimit,
    },
    async (req, reply) => answer(await directory.lookupByAddress(req.params.address), req.query.known, reply),
  );

  app.get<{ Params: Static<typeof FingerprintParams>; Querystring: Static<typeof LookupQuery> }>(
    '/v1/fingerprints/:fingerprint',
    {
      schema: {
        params: FingerprintParams,
        querystring: LookupQuery,
        response: responses({ 200: LookupReply }),
      },
      config: lookupLimit,
    },
    async (req, reply) =>
      answer(await directory.lookupByFingerprint(req.params.fingerprint), req.query.known, reply),
  );
}
