/**
 * Confirmation of a publish or an email revocation. Mail links are GET pages
 * that change nothing — link scanners prefetch GET links — with one button
 * that POSTs the token; the extension may POST it directly to /v1/confirm.
 * Tokens are single-use and expire after an hour.
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatFingerprint } from '../../src/crypto';
import { fromHex } from '../../src/crypto/bytes';
import type { Config } from '../config';
import type { TokenKind } from '../repositories/directory-repository';
import { ConfirmReply, ErrorBody, errorResponses, Html, responses, TokenBody, TokenQuery } from '../schemas';
import type { DirectoryService } from '../services/directory-service';
import { HttpError } from '../services/http-error';

export interface ConfirmRoutesOptions {
  directory: DirectoryService;
  limits: Config['limits'];
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>
`;
}

function sendPage(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page(title, body));
}

/** Pages are HTML; refusals from validation, limits and the error handler are JSON. */
const HtmlOrError = Type.Union([Html, ErrorBody]);
const htmlResponses = { ...errorResponses, 200: Html, 400: HtmlOrError, 410: HtmlOrError };

export async function confirmRoutes(app: FastifyInstance, opts: ConfirmRoutesOptions): Promise<void> {
  const { directory, limits } = opts;
  const limit = { rateLimit: { ...limits.confirm, groupId: 'confirm' } };
  const kinds: [TokenKind, string, string, string][] = [
    ['publish', '/verify', 'Publish your key', 'Publish my key'],
    ['revoke', '/revoke', 'Remove your key', 'Remove my key'],
  ];

  for (const [kind, path, title, button] of kinds) {
    // GET: a page with a button, and nothing else. It must not use the token.
    app.get<{ Querystring: Static<typeof TokenQuery> }>(
      path,
      { schema: { querystring: TokenQuery, response: htmlResponses }, config: limit },
      async (req, reply) => {
        const token = req.query.token ?? '';
        if (!TOKEN_RE.test(token)) {
          return sendPage(
            reply,
            400,
            'Invalid link',
            '<p>This link is incomplete. Copy the whole link from the mail.</p>',
          );
        }
        return sendPage(
          reply,
          200,
          title,
          `<p>Press the button to confirm. The link works once and expires one hour after the mail was sent.</p>
<form method="post" action="${path}"><input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">${escapeHtml(button)}</button></form>`,
        );
      },
    );

    app.post<{ Body: Static<typeof TokenBody> }>(
      path,
      { schema: { body: TokenBody, response: htmlResponses }, config: limit },
      async (req, reply) => {
        try {
          const r = await directory.confirm(req.body.token, kind);
          const fp = escapeHtml(formatFingerprint(fromHex(r.fingerprint)));
          return kind === 'publish'
            ? sendPage(
                reply,
                200,
                'Key published',
                `<p>${escapeHtml(r.address)} now uses the key <code>${fp}</code>.</p>`,
              )
            : sendPage(
                reply,
                200,
                'Key removed',
                `<p>The directory no longer serves a key for ${escapeHtml(r.address)}.</p>`,
              );
        } catch (e) {
          if (e instanceof HttpError && e.statusCode === 410) {
            return sendPage(reply, 410, 'Link not valid', `<p>${escapeHtml(e.message)}.</p>`);
          }
          throw e;
        }
      },
    );
  }

  app.post<{ Body: Static<typeof TokenBody> }>(
    '/v1/confirm',
    { schema: { body: TokenBody, response: responses({ 200: ConfirmReply }) }, config: limit },
    async (req) => {
      const r = await directory.confirm(req.body.token);
      return {
        status: r.kind === 'publish' ? 'published' : 'revoked',
        address: r.address,
        fingerprint: r.fingerprint,
      };
    },
  );
}
