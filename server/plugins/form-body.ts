/**
 * Request bodies are JSON, or `application/x-www-form-urlencoded` for the
 * confirmation pages' buttons (no JavaScript). Anything else is a 415.
 */
import type { FastifyInstance } from 'fastify';

export function formBody(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 },
    (_req, body, done) => {
      const params = new URLSearchParams(body as string);
      const out: Record<string, string> = {};
      for (const [k, v] of params) {
        if (k in out)
          return done(Object.assign(new Error('duplicate form field'), { statusCode: 400 }), undefined);
        out[k] = v;
      }
      done(null, out);
    },
  );
}
