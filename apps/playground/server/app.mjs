// @ts-check
/**
 * The playground server: one node:http server on 127.0.0.1 that serves the app (dist/, or Vite in middleware mode
 * with `dev`), the GraphQL API of @seedream-kit/graphql at /graphql, and the route of @seedream-kit/react at
 * /api/seedream. With an API key it generates through CometAPI; without one it starts the emulator in process.
 */
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDownloadHandler } from './internal/download.mjs';
import { allowedHostsFor, isSameOrigin, nodeHeaders } from './internal/same-origin.mjs';
import { createStaticHandler } from './internal/static-files.mjs';
import { createKit } from './internal/kit.mjs';
import { createSessions } from './internal/sessions.mjs';
import { connectUpstream } from './internal/upstream.mjs';

const appRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * @typedef {object} PlaygroundOptions
 * @property {number} [port] default 5173; 0 picks a free port
 * @property {string} [host] default 127.0.0.1
 * @property {boolean} [dev] Vite dev server in middleware mode instead of dist/
 * @property {string} [apiKey] CometAPI key; default `process.env.COMETAPI_KEY`. Without one, the emulator runs in process.
 * @property {string} [baseURL] default `process.env.COMETAPI_BASE_URL` (or CometAPI's own)
 * @property {import('@seedream-kit/emulator').EmulatorOptions} [emulatorOptions] for the in-process emulator
 * @property {string} [distDir] default `<app>/dist`
 * @property {string[]} [allowedHosts] extra `host:port` values the same-origin check accepts
 * @property {import('@seedream-kit/core/server').SpendingPolicyOptions['budget']} [budget] image budgets (default: the policy's)
 * @property {string} [emulatorURL] an emulator already running (default `process.env.PLAYGROUND_EMULATOR_URL`); without it and without a key, one starts in process
 * @property {string} [redisURL] run jobs, budgets and uploads on Redis (default `process.env.PLAYGROUND_REDIS_URL`), so N instances behave as one
 * @property {string} [sessionSecret] signs session cookies; instances behind one address share it (default `process.env.PLAYGROUND_SESSION_SECRET`, else random)
 * @property {string} [imageDir] where generated images are kept (default `process.env.PLAYGROUND_IMAGE_DIR`, else `<tmp>/seedream-playground-images`)
 * @property {Partial<import('@seedream-kit/core/server').JobsOptions>} [jobs] job options (heartbeat, staleAfterMs, onDisconnect …)
 */

/**
 * @typedef {object} Playground
 * @property {string} url e.g. `http://127.0.0.1:5173`
 * @property {'emulator' | 'cometapi'} mode
 * @property {import('@seedream-kit/emulator').Emulator | undefined} emulator the in-process emulator, in emulator mode
 * @property {import('node:http').Server} server
 * @property {import('@seedream-kit/core/server').SeedreamJobs} jobs
 * @property {(options?: { graceMs?: number }) => Promise<void>} close stops taking requests and jobs; running jobs
 *   get `graceMs` (default 0) to finish while their callers stay attached, then end `interrupted`
 */

/**
 * @param {PlaygroundOptions} [options]
 * @returns {Promise<Playground>}
 */
export async function startPlayground(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const upstream = await connectUpstream({
    apiKey: options.apiKey ?? process.env.COMETAPI_KEY,
    baseURL: options.baseURL ?? process.env.COMETAPI_BASE_URL,
    emulatorURL: options.emulatorURL ?? (process.env.PLAYGROUND_EMULATOR_URL || undefined),
    emulatorOptions: options.emulatorOptions,
  });
  const redisURL = options.redisURL ?? (process.env.PLAYGROUND_REDIS_URL || undefined);
  // Loaded only when asked for: `pnpm start` stays in memory with nothing else to run.
  const shared = redisURL ? (await import('@seedream-kit/redis')).createRedisStores({ url: redisURL, prefix: 'seedream-playground:' }) : undefined;
  const server = createServer();
  /** @type {Set<string>} filled in once the port is known */
  let allowedHosts = new Set();
  const sessions = createSessions({ secret: options.sessionSecret ?? (process.env.PLAYGROUND_SESSION_SECRET || undefined) });
  /**
   * The caller is this visit's session, and only from a page of this origin: forged headers without the cookie
   * spend nothing (what that does and does not stop: server/internal/sessions.mjs).
   * @param {{ get(name: string): string | null }} headers
   */
  const callerOf = (headers) => (isSameOrigin(headers, allowedHosts) && sessions.callerOf(headers)) || false;

  const kit = createKit({
    client: upstream.client,
    authorize: (request) => callerOf(request.headers),
    budget: options.budget,
    stores: shared ?? {},
    imageDir: options.imageDir ?? process.env.PLAYGROUND_IMAGE_DIR ?? join(tmpdir(), 'seedream-playground-images'),
    // The emulator serves plain http on loopback; CometAPI's URLs go through the downloader's default guards.
    ...(upstream.emulatorOrigin ? { download: { allowHttp: true, allowPrivateNetwork: ['127.0.0.1', '::1'] } } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
  });
  const download = createDownloadHandler({ emulatorOrigin: upstream.emulatorOrigin });
  const info = JSON.stringify({ mode: upstream.mode, upstream: upstream.description });
  /** @type {Array<() => Promise<void>>} */
  const closeFrontend = [];

  /** @type {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void | Promise<void>} */
  let frontend;
  if (options.dev) {
    const { createServer: createViteServer } = await import('vite');
    const vite = await createViteServer({
      root: appRoot,
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      server: { middlewareMode: true, ws: { server } },
      appType: 'spa',
    });
    closeFrontend.push(() => vite.close());
    frontend = (req, res) => vite.middlewares(req, res, () => res.writeHead(404).end('Not found'));
  } else {
    frontend = createStaticHandler(options.distDir ?? fileURLToPath(new URL('../dist', import.meta.url)), (res) =>
      res.setHeader('content-security-policy', contentSecurityPolicy(upstream.emulatorOrigin)),
    );
  }

  server.on('request', (req, res) => {
    res.setHeader('referrer-policy', 'no-referrer'); // signed image URLs must not leak through Referer
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('x-content-type-options', 'nosniff');
    const headers = nodeHeaders(req.headers);
    // A Host outside the list (malformed, or another name: DNS rebinding), a second Host (Node keeps the first; a
    // proxy may route by the other) and any request target but a plain path are refused before a handler reads them.
    const pathname = originFormPath(req.url);
    if (!allowedHosts.has(headers.get('host')?.toLowerCase() ?? '') || hostLines(req.rawHeaders) !== 1 || pathname === undefined) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad request');
      return;
    }
    let handling;
    if (pathname === '/graphql') handling = kit.graphql(req, res);
    else if (pathname === '/api/seedream' || pathname.startsWith('/api/seedream/')) handling = kit.route(req, res);
    else if (pathname === '/api/uploads') handling = kit.upload(req, res);
    else if (pathname === '/api/info') res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(info);
    else if (pathname === '/api/download') {
      if (req.method !== 'GET') res.writeHead(405, { allow: 'GET' }).end();
      else if (!callerOf(headers)) res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden');
      else handling = download(req, res);
    } else if (pathname.startsWith('/api/')) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"Not found"}}');
    else {
      if (req.method === 'GET') sessions.ensure(headers, res); // the page hands out this visit's session
      handling = frontend(req, res);
    }
    Promise.resolve(handling).catch((error) => {
      console.error('[playground] request failed:', error instanceof Error ? error.message : error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error');
      else res.destroy();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5173, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  allowedHosts = allowedHostsFor(host, address.port, options.allowedHosts ?? process.env.PLAYGROUND_ALLOWED_HOSTS?.split(','));

  let closing;
  return {
    url: `http://${host}:${address.port}`,
    mode: upstream.mode,
    emulator: upstream.emulator,
    server,
    jobs: kit.jobs,
    close({ graceMs = 0 } = {}) {
      closing ??= (async () => {
        // No new connections or jobs; running jobs finish (up to graceMs) while their streams stay open.
        const stopped = new Promise((resolve) => server.close(() => resolve(undefined)));
        server.closeIdleConnections();
        await kit.jobs.shutdown({ deadlineMs: graceMs });
        await new Promise((resolve) => setTimeout(resolve, 50)); // the last events reach their streams
        server.closeAllConnections();
        await stopped;
        await Promise.all(closeFrontend.map((close) => close()));
        await shared?.close();
        await upstream.close();
      })();
      return closing;
    },
  };
}

/**
 * SIGTERM / SIGINT: stop taking requests and jobs, let running jobs finish (they are paid for) up to `graceMs`,
 * then exit. A second signal exits at once.
 * @param {Playground} playground
 * @param {{ graceMs: number, log?: (line: string) => void }} options
 */
export function exitGracefullyOnSignals(playground, { graceMs, log = console.log }) {
  let stopping = false;
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      log(`${signal}: finishing ${playground.jobs.running} running job(s) (up to ${graceMs} ms), then exiting.`);
      playground.close({ graceMs }).then(() => process.exit(0));
    });
  }
}

/**
 * The pathname of an origin-form request target (`/path?query`), or undefined for anything else. A target that
 * starts with `//` or `/\` is read by URL as naming a host (`//evil/api/seedream` is `/api/seedream` on `evil`), and
 * one such as `//[` makes URL throw, which in the request listener would end the process: both are refused.
 * @param {string | undefined} target
 */
function originFormPath(target) {
  if (target?.[0] !== '/' || target[1] === '/' || target[1] === '\\') return undefined;
  try {
    const url = new URL(target, 'http://localhost');
    return url.host === 'localhost' ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string[]} rawHeaders name, value, name, value … as received */
function hostLines(rawHeaders) {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === 'host') count++;
  return count;
}

/** @param {string | undefined} emulatorUrl images come from the emulator's origin in emulator mode */
function contentSecurityPolicy(emulatorUrl) {
  const images = ["'self'", 'data:', 'blob:', 'https:', emulatorUrl].filter(Boolean).join(' ');
  return [
    "default-src 'self'",
    `img-src ${images}`,
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
