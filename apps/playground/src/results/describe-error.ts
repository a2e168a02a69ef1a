/** Turns the kit's error (SeedreamClientError or anything thrown) into words for the page. */
import { isClientErrorKind, type SeedreamClientErrorKind } from '@seedream-kit/react';
import { type FieldName, fieldForPath } from '../form/form-state.ts';

/** The parts of @seedream-kit/react's SeedreamClientError the page reads. */
export interface KitErrorLike {
  kind?: string;
  message: string;
  status?: number;
  fields?: Array<{ path: string; message: string }>;
  retryAfter?: number;
  requestId?: string;
}

export interface ErrorDescription {
  kind: string;
  title: string;
  detail: string;
  /** Messages to show next to the field that caused them. */
  fields: Partial<Record<FieldName, string>>;
  retryAfter?: number;
  requestId?: string;
}

/** The playground's own words, one entry per kind of the kit's table (CLIENT_ERROR_KINDS): a new kind does not compile until it has words here. */
const TITLES: Record<SeedreamClientErrorKind, { title: string; detail: string }> = {
  validation: { title: 'Check the highlighted fields', detail: 'Nothing was sent: the request would have been rejected.' },
  bad_request: { title: 'The API rejected the request', detail: 'The parameters were refused upstream.' },
  authentication: { title: 'The API key was rejected', detail: 'The server’s COMETAPI_KEY is missing, wrong or expired.' },
  permission: { title: 'Not allowed', detail: 'This server refused the request (model, limit or origin).' },
  not_found: { title: 'Model not available', detail: 'The API does not know this model, or your key cannot use it.' },
  limit_exceeded: { title: 'Over this server’s limit', detail: 'The request asks for more images or generations than this server allows at once.' },
  rate_limit: { title: 'Too many requests', detail: 'The image service is rate limiting this key.' },
  content_policy: { title: 'Blocked by the content filter', detail: 'Rephrase the prompt or change the reference images.' },
  upstream: { title: 'The image service failed', detail: 'The upstream API answered with an error. It may be busy; try again.' },
  timeout: { title: 'The generation timed out', detail: 'It took longer than the server allows.' },
  network: { title: 'Connection problem', detail: 'The playground server could not be reached, or the connection dropped.' },
  aborted: { title: 'Stopped', detail: 'The generation was cancelled. Work already done upstream is still billed.' },
  interrupted: { title: 'The server stopped mid-series', detail: 'The images received so far are kept. Generating again is a new, billed request.' },
  unavailable: { title: 'Briefly unavailable', detail: 'The server could not reach its job store. Nothing was billed; try again in a moment.' },
};

export function describeError(error: unknown): ErrorDescription {
  const kit = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as KitErrorLike;
  const kind = kit.kind ?? 'unknown';
  const known = isClientErrorKind(kind) ? TITLES[kind] : { title: 'Something went wrong', detail: '' };
  const fields: Partial<Record<FieldName, string>> = {};
  const unplaced: string[] = [];
  for (const field of kit.fields ?? []) {
    const name = fieldForPath(field.path);
    if (name && !fields[name]) fields[name] = field.message;
    else if (!name) unplaced.push(`${field.path}: ${field.message}`);
  }
  let detail = kit.message || known.detail;
  if (kind === 'validation') detail = unplaced.length > 0 ? unplaced.join(' ') : known.detail;
  if (kind === 'rate_limit') {
    detail = kit.retryAfter !== undefined ? `Try again in ${formatSeconds(kit.retryAfter)}.` : 'Wait a moment before trying again.';
  }
  return { kind, title: known.title, detail, fields, retryAfter: kit.retryAfter, requestId: kit.requestId };
}

export function formatSeconds(seconds: number): string {
  const rounded = Math.max(0, Math.ceil(seconds));
  if (rounded < 90) return `${rounded} second${rounded === 1 ? '' : 's'}`;
  return `${Math.ceil(rounded / 60)} minutes`;
}
