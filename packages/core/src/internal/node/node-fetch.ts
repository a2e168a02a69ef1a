/**
 * `createNodeFetch()`: the client's `fetch` over node:http(s), a connection per call, for servers that hold many generations open at
 * once (the route with jobs streams every generation). The built-in fetch keeps per request a Request, a
 * WHATWG body pipeline and a connection pool client; this keeps the socket's own IncomingMessage and one small
 * ReadableStream, roughly a third less heap per open stream (bench/jobs.mjs measures the server with it).
 *
 * It covers what the client asks of fetch: a string or URL, method, headers, a string
 * or byte body, an AbortSignal; redirects are never followed (a 3xx comes back as it is, which the client
 * reports as a wrong `baseURL`). It is not a general-purpose fetch: no Request objects, no stream bodies.
 */
import http from 'node:http';
import https from 'node:https';

export interface NodeFetchOptions {
  /**
   * Agents for http: and https: URLs. Default: one each, per `createNodeFetch()` call, that opens a connection per
   * request. A generation is a paid POST: sent on a reused idle socket that the server is closing at that moment,
   * it fails with a reset that cannot tell "not received" from "received", so it would be reported as possibly
   * billed. A generation lasts seconds, so a handshake per call costs nothing worth that risk.
   */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

type FetchInit = RequestInit & { body?: BodyInit | null };

/** Statuses whose answers have no body (the Response constructor refuses one). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export function createNodeFetch(options: NodeFetchOptions = {}): typeof globalThis.fetch {
  const httpAgent = options.httpAgent ?? new http.Agent({ keepAlive: false });
  const httpsAgent = options.httpsAgent ?? new https.Agent({ keepAlive: false });

  return (input, init: FetchInit = {}) => {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      return Promise.reject(new TypeError('createNodeFetch(): the input must be a URL or a string'));
    }
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new TypeError(`createNodeFetch(): ${url.protocol} URLs are not supported`));
    }
    let body: Uint8Array | undefined;
    try {
      body = requestBody(init.body);
    } catch (error) {
      return Promise.reject(error);
    }
    const headers = headerRecord(init.headers);
    if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(body.byteLength);
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortReason(signal));

    return new Promise<Response>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method: init.method ?? 'GET',
        headers,
        agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      });
      let answered: http.IncomingMessage | undefined;
      let failBody: ((error: unknown) => void) | undefined;
      const onAbort = () => {
        const reason = abortReason(signal!);
        if (!answered) reject(reason);
        else failBody?.(reason);
        request.destroy();
        answered?.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const forget = () => signal?.removeEventListener('abort', onAbort);

      request.once('error', (error) => {
        forget();
        reject(new TypeError('fetch failed', { cause: error }));
      });
      request.once('response', (res) => {
        answered = res;
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        if (NULL_BODY_STATUS.has(status) || init.method === 'HEAD') {
          forget();
          res.resume();
          resolve(new Response(null, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
          return;
        }
        const stream = new ReadableStream<Uint8Array>(
          {
            start(controller) {
              let open = true;
              failBody = (error) => {
                if (open) controller.error(error);
                open = false;
              };
              res.on('data', (chunk: Buffer) => {
                if (!open) return;
                controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
                // Backpressure: the socket waits until the reader asks for more (see pull).
                if ((controller.desiredSize ?? 0) <= 0) res.pause();
              });
              res.once('end', () => {
                forget();
                if (open) controller.close();
                open = false;
              });
              // A body cut short (the server reset the connection, or `aborted` before the end).
              res.once('error', (error) => {
                forget();
                failBody?.(signal?.aborted ? abortReason(signal) : new TypeError('terminated', { cause: error }));
              });
              res.once('close', () => {
                if (!res.complete) failBody?.(signal?.aborted ? abortReason(signal) : new TypeError('terminated: the connection closed mid-body'));
              });
            },
            pull() {
              res.resume();
            },
            cancel() {
              forget();
              res.destroy();
            },
          },
          { highWaterMark: 1 },
        );
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
      });
      request.end(body);
    });
  };
}

function requestBody(body: FetchInit['body']): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('createNodeFetch(): the body must be a string or bytes');
}

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of headers instanceof Headers ? headers.entries() : headers) record[name!] = value!;
  } else Object.assign(record, headers);
  return record;
}

/** What fetch rejects with on abort: the signal's reason, or an AbortError. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
