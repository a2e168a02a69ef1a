import { errorBody, type ApiError, type Envelope } from '../errors.js';
import { sendJsonText } from '../http-util.js';
import { shortenForLog } from '../request-log.js';
import type { Exchange, ServerContext } from '../context.js';

export function sendJson(context: ServerContext, exchange: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  context.log.update(exchange.entry, { response: shortenForLog(body) });
  sendJsonText(exchange.res, status, JSON.stringify(body), headers);
}

export function sendApiError(
  context: ServerContext,
  exchange: Exchange,
  error: ApiError,
  envelope: Envelope,
  headers: Record<string, string> = {},
): void {
  sendJson(context, exchange, error.status, errorBody(error, exchange.requestId, envelope), headers);
}
