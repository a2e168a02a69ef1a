/**
 * The route's direct path under `toNodeHandler`: a server that holds thousands of open SSE streams (every
 * generation is a job, and every job a stream) should not pay for a WHATWG body stream, its reader and an
 * encoded chunk per event on top of the socket. Requests that `toNodeHandler` made are marked here; for them the
 * route answers with a body-less Response and a writer of the Node response, which `toNodeHandler` runs. Any
 * other host (a fetch-standard server, a test calling the handler) gets the ordinary streamed Response.
 */
import type { ServerResponse } from 'node:http';

/** Where an event stream writes: a WHATWG stream's controller, or a Node response. */
export interface EventSink {
  write(text: string): void;
  end(): void;
}

/** Writes the body of an answer into the Node response (status and headers are already set). */
export type NodeBodyWriter = (res: ServerResponse) => void;

const nodeRequests = new WeakSet<Request>();
const nodeWriters = new WeakMap<Response, NodeBodyWriter>();

export const markNodeRequest = (request: Request): void => void nodeRequests.add(request);
export const isNodeRequest = (request: Request): boolean => nodeRequests.has(request);

/** A body-less Response whose body `toNodeHandler` writes with `writer`. */
export function directResponse(init: ResponseInit, writer: NodeBodyWriter): Response {
  const response = new Response(null, init);
  nodeWriters.set(response, writer);
  return response;
}

export const nodeWriterOf = (response: Response): NodeBodyWriter | undefined => nodeWriters.get(response);
