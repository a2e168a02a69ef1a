/** The emulator's HTTP server: routing, per-request bookkeeping (log, abort) and a close() that ends everything. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Emulator, EmulatorOptions, LogEntryKind } from '../types.js';
import { ArtRenderer } from './art/render.js';
import type { Exchange, ServerContext } from './context.js';
import { errorForStatus, newRequestId, type Envelope } from './errors.js';
import { parseFaults } from './faults.js';
import { applyCors } from './http-util.js';
import { ImageStore } from './image-store.js';
import { createLatency } from './latency.js';
import { MemoryRequestLog, redactHeaders } from './request-log.js';
import { UrlSigner } from './signed-url.js';
import { handleDownload, IMAGE_PATH } from './handlers/download.js';
import { sendApiError, sendJson } from './handlers/errors.js';
import { handleGeneration } from './handlers/generation.js';

const GENERATION_PATHS: ReadonlyMap<string, 'cometapi' | 'ark'> = new Map([
  ['/v1/images/generations', 'cometapi'],
  ['/api/v3/images/generations', 'ark'],
]);

const DAY_MS = 24 * 60 * 60 * 1000;
const MiB = 1024 * 1024;

function classify(method: string, path: string): LogEntryKind {
  if (method === 'POST' && GENERATION_PATHS.has(path)) return 'generation';
  if ((method === 'GET' || method === 'HEAD') && IMAGE_PATH.test(path)) return 'download';
  return 'other';
}

function originFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

export async function startServer(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const serverFaults = { spec: options.faults, parsed: parseFaults(options.faults) };
  const log = new MemoryRequestLog(options.logLimit ?? 1000);
  const context: ServerContext = {
    origin: '',
    apiKeys: options.apiKeys ? new Set(options.apiKeys) : undefined,
    latency: createLatency(options.latency, options.randomSeed ?? 1),
    serverFaults,
    urlLifetimeMs: options.urlLifetimeMs ?? DAY_MS,
    rejectUnsupportedParams: options.rejectUnsupportedParams ?? false,
    envelope: options.envelope ?? 'ark',
    art: new ArtRenderer(options.artCacheBytes ?? 128 * MiB),
    store: new ImageStore(options.imageStoreBytes ?? 256 * MiB),
    signer: new UrlSigner(),
    log,
    maxBodyBytes: 200 * MiB,
  };
  const sockets = new Set<Socket>();
  const inFlight = new Set<AbortController>();
  let closing = false;

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Generations can take minutes (latency faults, stalled streams): no server-side request timeout.
  server.requestTimeout = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const path = rawUrl.split('?')[0] ?? '/';
    const requestId = newRequestId();
    const kind = classify(method, path);
    const entry = log.start({ kind, method, url: rawUrl, headers: redactHeaders(req.headers), requestId });
    const controller = new AbortController();
    inFlight.add(controller);
    const exchange: Exchange = { entry, requestId, res, signal: controller.signal, cutByServer: false };
    res.on('close', () => {
      inFlight.delete(controller);
      const finished = res.writableFinished;
      if (!finished) controller.abort(new Error('connection closed before the response ended'));
      const status = res.headersSent ? res.statusCode : exchange.cutByServer ? 0 : 499;
      log.update(entry, { endedAt: Date.now(), aborted: !finished && !exchange.cutByServer && !closing, status });
    });

    res.setHeader('x-request-id', requestId);
    applyCors(req, res);
    try {
      if (method === 'OPTIONS') {
        res.writeHead(204).end();
      } else if (kind === 'generation') {
        const envelope: Envelope = GENERATION_PATHS.get(path) === 'cometapi' ? context.envelope : 'ark';
        await handleGeneration(context, exchange, req, envelope);
      } else if (kind === 'download') {
        handleDownload(context, exchange, method, rawUrl);
      } else if (method === 'GET' && (path === '/' || path === '/health')) {
        sendJson(context, exchange, {
          status: 200,
          body: { name: '@seedream-kit/emulator', endpoints: ['POST /v1/images/generations', 'POST /api/v3/images/generations'] },
        });
      } else {
        req.resume();
        sendApiError(
          context,
          exchange,
          { status: 404, code: 'NotFound', message: `The requested resource ${method} ${path} was not found` },
          { envelope: 'ark' },
        );
      }
    } catch (error) {
      if (controller.signal.aborted) return; // the client left or the server is closing: nothing to answer
      if (!res.headersSent) {
        sendApiError(context, exchange, errorForStatus(500), { envelope: 'ark' });
        process.emitWarning(`seedream-emulator: ${(error as Error)?.stack ?? String(error)}`);
      } else {
        res.destroy();
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = originFor(host, port);
  context.origin = url;

  let closed: Promise<void> | undefined;
  return {
    url,
    baseURL: `${url}/v1`,
    arkBaseURL: `${url}/api/v3`,
    port,
    log,
    setFaults(spec) {
      serverFaults.parsed = parseFaults(spec);
      serverFaults.spec = spec;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const controller of inFlight) controller.abort(new Error('emulator closed'));
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
