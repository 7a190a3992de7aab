/**
 * The transparency routes of docs/transparency.md §HTTP API, as a Fastify
 * plugin the app registers next to its key routes:
 *
 *   await app.register(transparencyRoutes, { log, rateLimit: limits.lookup });
 *
 * GET /v1/log/head, GET /v1/log/inclusion, GET /v1/log/consistency and
 * POST /v1/log/history. Every request and every response status has a schema
 * (fastify/demo), so nothing unlisted leaves. Answers sync the log with the
 * database when the last sync is older than `syncIntervalMs` (createLog), and
 * always when asked for a tree size beyond what is loaded.
 */

import type { RateLimitOptions } from '@fastify/rate-limit';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import type { TransparencyLog } from './log';

const ErrorBody = Type.Object({ error: Type.String() }, { additionalProperties: false });
const errors = {
  400: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
};
const Size = Type.String({ pattern: '^[0-9]{1,15}$' });
const Hashes = Type.Array(Type.String(), { maxItems: 64 });

export const HeadReply = Type.Object({ sth: Type.String() }, { additionalProperties: false });
export const InclusionQuery = Type.Object({ index: Size, size: Size }, { additionalProperties: false });
export const InclusionReply = Type.Object(
  { index: Type.Integer(), treeSize: Type.Integer(), leaf: Type.String(), proof: Hashes },
  { additionalProperties: false },
);
export const ConsistencyQuery = Type.Object({ first: Size, second: Size }, { additionalProperties: false });
export const ConsistencyReply = Type.Object(
  { first: Type.Integer(), second: Type.Integer(), proof: Hashes },
  { additionalProperties: false },
);
export const HistoryBody = Type.Object(
  {
    address: Type.String({ minLength: 3, maxLength: 320 }),
    known: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);
export const HistoryReply = Type.Object(
  {
    addressHash: Type.String(),
    sth: Type.String(),
    entries: Type.Array(
      Type.Object(
        { leafIndex: Type.Integer(), leaf: Type.String(), inclusion: Hashes },
        { additionalProperties: false },
      ),
    ),
    consistency: Hashes,
    consistencyFrom: Type.Integer(),
  },
  { additionalProperties: false },
);

export interface TransparencyRoutesOptions {
  log: TransparencyLog;
  /** @fastify/rate-limit options for these routes (e.g. the lookup limits), if the app uses it. */
  rateLimit?: RateLimitOptions;
}

export async function transparencyRoutes(
  app: FastifyInstance,
  opts: TransparencyRoutesOptions,
): Promise<void> {
  const { log } = opts;
  const config: FastifyContextConfig = opts.rateLimit
    ? { rateLimit: { ...opts.rateLimit, groupId: 'transparency' } }
    : {};

  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get('/v1/log/head', { schema: { response: { 200: HeadReply, ...errors } }, config }, async () => {
    return log.headResponse();
  });

  app.get<{ Querystring: Static<typeof InclusionQuery> }>(
    '/v1/log/inclusion',
    { schema: { querystring: InclusionQuery, response: { 200: InclusionReply, ...errors } }, config },
    async (req) => {
      const size = Number(req.query.size);
      if (size > log.size) await log.sync();
      return log.inclusionResponse(Number(req.query.index), size);
    },
  );

  app.get<{ Querystring: Static<typeof ConsistencyQuery> }>(
    '/v1/log/consistency',
    { schema: { querystring: ConsistencyQuery, response: { 200: ConsistencyReply, ...errors } }, config },
    async (req) => {
      const second = Number(req.query.second);
      if (second > log.size) await log.sync();
      return log.consistencyResponse(Number(req.query.first), second);
    },
  );

  app.post<{ Body: Static<typeof HistoryBody> }>(
    '/v1/log/history',
    { schema: { body: HistoryBody, response: { 200: HistoryReply, ...errors } }, config },
    async (req) => {
      try {
        return await log.historyResponse(req.body.address, req.body.known);
      } catch (e) {
        // An address that does not normalise (CryptoError invalid-input) is the client's mistake.
        if ((e as { code?: string }).code === 'invalid-input') {
          throw Object.assign(new Error('not a valid address'), { statusCode: 400 });
        }
        throw e;
      }
    },
  );
}
