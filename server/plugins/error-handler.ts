/**
 * The one error handler (fastify/demo): statuses below 500 show their message
 * (validation, sizes, rate limits, refusals); 5xx show only a generic text and
 * are logged. Nothing from a request body is echoed.
 */
import type { FastifyError, FastifyInstance } from 'fastify';

export function errorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err: { message: err.message, code: err.code, stack: err.stack } }, 'request failed');
    }
    // 502 is ours (a mail that could not go out), with a fixed text; other 5xx say nothing.
    let message = status < 500 || status === 502 ? err.message : 'internal error';
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'unsupported content type';
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'request body too large';
    if (status === 503) message = 'service unavailable';
    reply.code(status).type('application/json; charset=utf-8').send({ error: message });
  });
}
