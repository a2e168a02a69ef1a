import { errorBody, type ApiError, type Envelope } from '../errors.js';
import { sendJsonText } from '../http-util.js';
import { shortenForLog } from '../request-log.js';
import type { Exchange, ServerContext } from '../context.js';

export interface JsonReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Answers with a JSON body, and records it (shortened) in the request log. */
export function sendJson(context: ServerContext, exchange: Exchange, { status, body, headers = {} }: JsonReply): void {
  context.log.update(exchange.entry, { response: shortenForLog(body) });
  sendJsonText(exchange.res, status, JSON.stringify(body), headers);
}

/** Answers with `error` in the provider's envelope (`ark`) or CometAPI's. */
export function sendApiError(
  context: ServerContext,
  exchange: Exchange,
  error: ApiError,
  { envelope, headers }: { envelope: Envelope; headers?: Record<string, string> },
): void {
  sendJson(context, exchange, { status: error.status, body: errorBody(error, exchange.requestId, envelope), headers });
}
