/**
 * The request-body cap of `createSeedreamYoga`, in place of yoga's `maxRequestBodySize` plugin. Same limit, same
 * errors (413 REQUEST_ENTITY_TOO_LARGE, 400 BAD_REQUEST for a malformed Content-Length), cheaper per request:
 * yoga pipes every body through a byte-counting TransformStream and rebuilds the Request around it, which cost
 * about a fifth of the server's CPU per mutation in bench/graphql.mjs. With a valid Content-Length the HTTP
 * server already delivers exactly that many bytes, so checking the header is enough; only a body without one
 * (chunked) is still counted as it streams.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** yoga's default `maxRequestBodySize`. */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 25_000_000;

// Only one non-negative integer is a valid Content-Length; comma-joined values (request smuggling) are refused.
const CONTENT_LENGTH = /^\d+$/;

function tooLarge(): GraphQLError {
  return new GraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });
}

function invalidContentLength(): GraphQLError {
  return new GraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
}

/** A body that errors with 413 once more than `limit` bytes have streamed through. */
function countedRequest(request: Request, limit: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  // A native ReadableStream needs the native TransformStream (the ponyfill's does not pipe from it).
  const Transform = request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let bytes = 0;
  const body = request.body!.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body, duplex: 'half' } as RequestInit);
}

/**
 * Refuses request bodies over `limit` bytes: a number, or a function of the request (a smaller cap for callers the
 * policy does not know). Put it after any plugin that adds a request parser.
 */
export function useRequestBodyLimit(limit: number | ((request: Request) => number | Promise<number>) = DEFAULT_MAX_REQUEST_BODY_SIZE): Plugin {
  return {
    async onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null && !CONTENT_LENGTH.test(contentLength)) throw invalidContentLength();
      const cap = typeof limit === 'number' ? limit : await limit(request);
      if (contentLength !== null) {
        if (Number(contentLength) > cap) throw tooLarge();
        return; // framed by the HTTP server: the body is exactly this long
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => parse(countedRequest(req, cap, fetchAPI)));
    },
  };
}
