/**
 * A tracker on loopback for the privacy tests (issue 6): an HTTP server that
 * records every request it gets (path, headers, time, which TCP connection)
 * and answers with something of the right type for each path, so browsers use
 * what they fetch and go on to the next resource (a stylesheet's `@import` and
 * `url()`, a font, a video poster).
 *
 * It listens on a random loopback address such as 127.83.4.17, not on Roundcube's
 * 127.0.0.1 (a fresh address per run, so two runs at once never share a tracker,
 * and port 80 is free on it): an IP address is its own site, so every request a Roundcube page (http://127.0.0.1:8080) makes to
 * it is third-party, as a real tracker's would be, for declarativeNetRequest's
 * `domainType` and `initiatorDomains` as for the browsers' own site checks.
 * Linux routes all of 127.0.0.0/8 to the loopback interface. Both addresses are
 * loopback, so Chromium's Private Network Access (a less private page reaching
 * a more private address) does not apply, and Firefox fetches it as any other
 * http:// host (checked by the control in privacy-remote.test.ts: without
 * Cipherpost both browsers fetch from it).
 *
 * Port 80 when it can bind it (root, as CI runs): Roundcube's CSS washer keeps a
 * `url()` inside a `<style>` element only if it matches `^https?://[a-z0-9/._+-]+$`
 * (`rcube_utils::mod_css_styles`), so with a port in the URL it would drop every
 * stylesheet rule with a remote URL and the `@font-face` cases would never reach
 * the browser. Otherwise a free port (those cases then do not load in the control).
 *
 * Paths (every test uses its own first segment, e.g. `/a1b2-A/pixel.gif`):
 * - `*.css`: a stylesheet. `style.css` imports `imported.css` (`@import`) and sets
 *   `body { background-image: url(nested.gif) }`; `imported.css` sets
 *   `html { background-image: url(imported-bg.gif) }`; other `*.css` are empty rules.
 *   Relative URLs, so the nested requests carry the same first segment.
 * - `*.woff`, `*.woff2`, `*.ttf`: a few bytes as `font/*` (browsers request the font
 *   when text uses the family; an invalid font is still a request).
 * - `*.webm`, `*.mp4`: a few bytes as `video/*`.
 * - `*.html`: a tiny HTML page (iframes).
 * - everything else: a 1×1 transparent GIF.
 * Every answer has `cache-control: no-store` (each view is a new request) and
 * `access-control-allow-origin: *` (fonts are CORS requests).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A random address in 127.2.0.0–127.251.255.255 (never 127.0.0.1 and its neighbours). */
export function randomLoopbackHost(): string {
  const r = (n: number) => Math.floor(Math.random() * n);
  return `127.${2 + r(250)}.${r(256)}.${1 + r(254)}`;
}

export interface TrackerRequest {
  at: number;
  method: string;
  /** The path with its query, as requested. */
  url: string;
  /** The path without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Which TCP connection (1, 2, ...) carried it. */
  connection: number;
}

export interface Tracker {
  /** `http://127.a.b.c` (port 80) or `http://127.a.b.c:<port>`. */
  origin: string;
  host: string;
  port: number;
  /** `origin + path` (`path` starts with `/`). */
  url(path: string): string;
  /** Every request so far, oldest first. */
  requests: TrackerRequest[];
  /** The requests whose path starts with `/<segment>/`. */
  requestsFor(segment: string): TrackerRequest[];
  /** TCP connections accepted so far (a preconnect shows up here without a request). */
  connections(): number;
  close(): Promise<void>;
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function answer(path: string): { type: string; body: Buffer | string } {
  const file = path.split('/').pop() ?? '';
  if (file.endsWith('.css')) {
    if (file === 'style.css') {
      return {
        type: 'text/css',
        body: '@import url("imported.css");\nbody { background-image: url("nested.gif"); }\n',
      };
    }
    if (file === 'imported.css')
      return { type: 'text/css', body: 'html { background-image: url("imported-bg.gif"); }\n' };
    return { type: 'text/css', body: '.cipherpost-tracker-unused { color: red; }\n' };
  }
  const ext = file.split('.').pop() ?? '';
  if (ext === 'woff' || ext === 'woff2' || ext === 'ttf')
    return { type: `font/${ext}`, body: Buffer.alloc(64, 1) };
  if (ext === 'webm' || ext === 'mp4') return { type: `video/${ext}`, body: Buffer.alloc(64, 0) };
  if (ext === 'html')
    return { type: 'text/html; charset=utf-8', body: '<!doctype html><title>tracker</title>' };
  return { type: 'image/gif', body: GIF };
}

async function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (port !== 0 && (error.code === 'EACCES' || error.code === 'EADDRINUSE')) resolve(false);
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Starts the tracker on a random loopback address, port 80 if it can, else a free port. */
export async function startTracker({
  host = randomLoopbackHost(),
  preferPort = 80,
}: {
  host?: string;
  preferPort?: number;
} = {}): Promise<Tracker> {
  const requests: TrackerRequest[] = [];
  const sockets = new Map<Socket, number>();
  let connectionCount = 0;
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const path = new URL(url, 'http://tracker.invalid').pathname;
    requests.push({
      at: Date.now(),
      method: req.method ?? '',
      url,
      path,
      headers: req.headers,
      connection: sockets.get(req.socket) ?? 0,
    });
    const { type, body } = answer(path);
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
      'timing-allow-origin': '*',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('connection', (socket: Socket) => {
    connectionCount += 1;
    sockets.set(socket, connectionCount);
    socket.once('close', () => sockets.delete(socket));
  });
  if (!(await listen(server, host, preferPort))) await listen(server, host, 0);
  const { port } = server.address() as AddressInfo;
  const origin = port === 80 ? `http://${host}` : `http://${host}:${port}`;
  return {
    origin,
    host,
    port,
    url: (path) => `${origin}${path}`,
    requests,
    requestsFor: (segment) => requests.filter((r) => r.path.startsWith(`/${segment}/`)),
    connections: () => connectionCount,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
