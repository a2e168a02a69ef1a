/** Error bodies in the provider's envelope (docs/api-contract.md §6.1) and CometAPI's (§6.3). */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/** Ark-like request id: `02` + epoch ms + random hex. */
export function newRequestId(): string {
  return `02${Date.now()}${randomBytes(12).toString('hex')}`;
}

export interface ApiError {
  status: number;
  code: string;
  /** Message without the request-id suffix. */
  message: string;
  param?: string;
  /** Raised by the gateway itself (auth, routing), not relayed from the provider: CometAPI's own wording. */
  comet?: { code: string; message: string };
}

export type Envelope = 'ark' | 'cometapi';

/** `BadRequest`, `TooManyRequests` …: the HTTP reason phrase without spaces, as the provider writes `type`. */
export function reasonType(status: number): string {
  return (STATUS_CODES[status] ?? 'Error').replace(/[^A-Za-z]/g, '');
}

export function errorBody(error: ApiError, requestId: string, envelope: Envelope): { error: Record<string, string> } {
  const param = error.param ?? '';
  if (envelope === 'cometapi' && error.comet) {
    return { error: { message: `${error.comet.message} (request id: ${requestId})`, type: 'comet_api_error', param, code: error.comet.code } };
  }
  const message = `${error.message.replace(/\.?$/, '.')} Request ID: ${requestId}`;
  return { error: { code: error.code, message, param, type: reasonType(error.status) } };
}

export const MESSAGES = {
  auth: 'The API key or AK/SK in the request is missing or invalid',
  missing: 'The request failed because it is missing one or multiple required parameters',
  invalid: 'One or more parameters specified in the request are not valid',
  sensitiveOutput: 'The request failed because the output image may contain sensitive information.',
  internal: 'The service encountered an unexpected internal error',
} as const;

export function invalidParameter(param: string, detail: string): ApiError {
  return { status: 400, code: 'InvalidParameter', param, message: `${MESSAGES.invalid}: ${detail}` };
}

export function missingParameter(param: string): ApiError {
  return { status: 400, code: 'MissingParameter', param, message: `${MESSAGES.missing}: the parameter \`${param}\` is required` };
}

export function unsupportedParameter(param: string): ApiError {
  return invalidParameter(param, `the parameter \`${param}\` specified in the request is not supported by the current model`);
}

/** The error an injected `status=<code>` answers with, unless the directive names a code. */
export function errorForStatus(status: number, code?: string): ApiError {
  const defaults: Record<number, [string, string]> = {
    400: ['InvalidParameter', MESSAGES.invalid],
    401: ['AuthenticationError', MESSAGES.auth],
    403: ['AccountOverdueError', 'The request failed because your account has an overdue balance'],
    404: ['InvalidEndpointOrModel.NotFound', 'The model or endpoint does not exist or you do not have access to it'],
    409: ['Conflict', 'The request conflicts with the current state of the resource'],
    429: ['RateLimitExceeded.EndpointIPMExceeded', 'The request has exceeded the images per minute (IPM) rate limit of the endpoint. Please try again later'],
    499: ['RequestCanceled', 'The request was canceled by the client'],
    500: ['InternalServiceError', MESSAGES.internal],
    502: ['BadGateway', 'The upstream service returned an invalid response'],
    503: ['ServiceUnavailable', 'The service is currently under high load. Please try again later'],
    504: ['GatewayTimeout', 'The upstream service did not respond in time'],
  };
  const [defaultCode, message] = defaults[status] ?? [reasonType(status), STATUS_CODES[status] ?? 'Error'];
  return { status, code: code ?? defaultCode, message };
}
