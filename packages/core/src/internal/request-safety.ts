/**
 * Checks on what core itself puts on the wire and hands back: header names and values that fetch would refuse
 * (after the caller was told the request may have been billed), params JSON cannot carry, and response headers
 * that echo the API key (a hostile or broken proxy) before they reach results, errors or logs.
 */
import { SeedreamValidationError } from '../errors.js';
import type { ValidationIssue } from '../types.js';
import { scrubSecret } from './api-errors.js';

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, Latin-1, spaces and tabs; no CR, LF or NUL (no header injection, nothing fetch refuses). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Issues of caller-given headers, each named `headers.<name>`. */
export function headerIssues(headers: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    const path = `headers.${name.replace(/[^\x21-\x7e]/g, '?')}`;
    if (!HEADER_NAME.test(name)) issues.push({ path, message: "not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)", severity: 'error' });
    else if (typeof value !== 'string') issues.push({ path, message: 'a header value must be a string', severity: 'error' });
    else if (!HEADER_VALUE.test(value))
      issues.push({ path, message: 'a header value cannot hold line breaks, NUL or characters beyond Latin-1', severity: 'error' });
  }
  return issues;
}

/** `JSON.stringify(body)`, or a validation error naming the top-level field JSON cannot carry (cycle, BigInt, depth). */
export function serializeBody(body: Record<string, unknown>): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 120) : String(error);
    const issues: ValidationIssue[] = [];
    for (const key of Object.keys(body)) {
      try {
        JSON.stringify(body[key]);
      } catch {
        issues.push({ path: key, message: `cannot be sent as JSON (${reason})`, severity: 'error' });
      }
    }
    if (issues.length === 0) issues.push({ path: '', message: `params cannot be sent as JSON (${reason})`, severity: 'error' });
    throw new SeedreamValidationError(issues);
  }
}

/**
 * Whether any header value holds `secret`. Runs on every response, so a plain loop that stops at the first
 * hit: no callback per header and no argument checks (`forEach` has both), and a value shorter than the
 * secret is skipped without a search.
 */
function headersHold(headers: Headers, secret: string): boolean {
  for (const [, value] of headers) {
    if (value.length >= secret.length && value.includes(secret)) return true;
  }
  return false;
}

/** The response itself, or a copy whose headers no longer hold the secret (rare: only a proxy echoing it). */
export function withoutSecretInHeaders(response: Response, secret: string | undefined): Response {
  if (!secret || secret.length < 6 || !headersHold(response.headers, secret)) return response;
  // The Response constructor takes statuses 200–599 only (not a browser's opaque redirect, status 0).
  if (response.status < 200 || response.status > 599) return response;
  const headers = new Headers();
  response.headers.forEach((value, name) => {
    headers.append(name, scrubSecret(value, secret));
  });
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
