/**
 * Structured logs (pino) without client addresses (docs/directory.md
 * §Privacy): requests are logged as method and route pattern only — no IP,
 * no port, no host header, no path parameters (lookups carry addresses), no
 * query string (confirmation tokens travel in queries).
 * `LOG_CLIENT_IPS=1` adds the IP back for an operator who needs it.
 */
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Config } from '../config';

export function loggerOptions(
  config: Config,
  stream?: NodeJS.WritableStream,
): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    redact: { paths: ['req.headers', 'headers'], remove: true },
    serializers: {
      req(req: FastifyRequest) {
        // The route pattern, not the URL: lookups carry addresses in the path.
        const path = req.routeOptions?.url ?? '(no route)';
        return config.logClientIps
          ? { method: req.method, url: path, remoteAddress: req.ip }
          : { method: req.method, url: path };
      },
      res(res: { statusCode: number }) {
        return { statusCode: res.statusCode };
      },
    },
  } as FastifyServerOptions['logger'];
}
