/**
 * `toNodeHandler`: runs a fetch-standard handler in node:http or Express. The Request's signal fires when the
 * client disconnects (so the upstream generation is aborted), and the Response body streams out with
 * backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { markNodeRequest, nodeWriterOf } from './node-direct.js';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function toNodeHandler(handler: (request: Request) => Response | Promise<Response>): NodeHandler {
  return (req, res) => {
    run(handler, req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  };
}

async function run(handler: (request: Request) => Response | Promise<Response>, req: IncomingMessage, res: ServerResponse) {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('The client closed the connection'));
  });

  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const url = new URL(req.url ?? '/', `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  // Pairs, not a Headers object: the Request copies them into its own list either way.
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.push([name, item]);
    else if (value !== undefined) headers.push([name, value]);
  }
  const method = req.method ?? 'GET';
  let body: BodyInit | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    // Express with a body parser has read the stream already.
    const parsed = (req as { body?: unknown }).body;
    if (parsed === undefined) body = requestBody(req);
    else if (typeof parsed === 'string') body = parsed;
    else if (parsed instanceof Uint8Array) body = new Uint8Array(parsed);
    else body = JSON.stringify(parsed);
  }
  const request = new Request(url, { method, headers, body, signal: controller.signal, duplex: 'half' } as RequestInit);
  markNodeRequest(request);
  const response = await handler(request);

  res.statusCode = response.status;
  // Answered before the body was read to its end (a 413 over the cap): the rest of it is still on the connection,
  // which must not carry another request (the client would see it reset).
  if (!req.complete) {
    res.setHeader('connection', 'close');
    lingerOnClose(res);
  }
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  const writer = nodeWriterOf(response);
  if (writer) {
    res.flushHeaders();
    writer(res);
    return;
  }
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  const gone = new Promise<void>((resolve) => res.once('close', resolve));
  void gone.then(() => reader.cancel().catch(() => undefined));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (res.destroyed) return;
    if (!res.write(value)) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), gone]);
  }
  res.end();
}

/**
 * A lingering close: Node ends a `Connection: close` answer by destroying the socket, and a socket destroyed with
 * unread input sends a reset, which can make the client's kernel drop the answer it has not read yet (a 413
 * lost mid-upload). Instead: half-close, keep reading (and discarding) what the client still sends, and destroy
 * the socket after a short grace.
 */
function lingerOnClose(res: ServerResponse): void {
  const socket = res.socket as (ServerResponse['socket'] & { destroySoon?: () => void }) | null;
  if (!socket) return;
  socket.destroySoon = () => {
    socket.end();
    socket.resume();
    setTimeout(() => socket.destroy(), 2000).unref();
  };
}

/**
 * The request body as a web stream, with the semantics of Node's own `Readable.toWeb`: nothing is read before
 * the handler asks, up to 16 KiB is read ahead, and a cancel (a body over the policy's cap) destroys the request
 * but not the connection its answer still has to go out on. Made here because `toWeb` also leaves about a dozen
 * listeners and closures on the request for as long as it lives, and the Request of a job lives as long as the job.
 */
function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  let controller: ReadableStreamDefaultController<Uint8Array>;
  const onData = (chunk: Buffer) => {
    if (!open) return;
    controller.enqueue(new Uint8Array(chunk)); // a copy: the chunk may be a view of a larger pooled buffer
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  const settle = (error?: unknown) => {
    if (!open) return;
    open = false;
    req.off('data', onData);
    if (error === undefined) controller.close();
    else controller.error(error);
  };
  req.pause();
  req.on('data', onData);
  req.once('end', () => settle());
  req.once('error', (error) => settle(error));
  // Closed before its end: the client went away mid-upload.
  req.once('close', () => settle(req.complete ? undefined : new Error('The client closed the connection before the body ended')));
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        req.resume();
      },
      cancel() {
        open = false;
        req.off('data', onData);
        // Detached first, as Node's adapter does: destroying a server request would otherwise reset its socket.
        (req as { socket: unknown }).socket = null;
        req.destroy();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: req.readableHighWaterMark }),
  );
}
