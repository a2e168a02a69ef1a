/**
 * Downloads a result URL with SSRF guards. Result URLs come from an API response, so a hostile or broken
 * relay could point them anywhere; a server that fetches them must not be turned into a proxy to its own
 * network. The default transport connects through node:http(s) with a DNS lookup that refuses private
 * addresses at connect time (no gap between check and use, so DNS rebinding cannot slip through); IP literals
 * are checked before connecting; redirects are followed by hand and every hop is checked again.
 */
import { concatBytes } from '../bytes.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { mkdir } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { dirname } from 'node:path';
import { APITimeoutError, APIUserAbortError, DownloadError, isSeedreamError } from '../../errors.js';
import { errorCode } from '../call-scope.js';
import { allowListMatcher, isPrivateAddress } from './address-policy.js';
import { writeFileAtomic } from './atomic-write.js';

export interface DownloadOptions {
  /** Write the image to this file (atomically: a temporary file flushed to disk, then renamed into place) instead of returning bytes. */
  to?: string;
  /** Largest body accepted, in bytes. Default 64 MiB. */
  maxBytes?: number;
  /** Allow plain `http:` (default: https only). */
  allowHttp?: boolean;
  /** Allow private, loopback and link-local addresses: `true` for all, or a list of IPs / CIDR ranges. */
  allowPrivateNetwork?: boolean | readonly string[];
  /** Overall deadline in ms, redirects included. Default 120 000. */
  timeout?: number;
  signal?: AbortSignal;
  /** Use this fetch instead of node:http(s). Addresses are then checked by a DNS lookup before each request,
   *  which leaves a small window for DNS rebinding; the default transport has none. */
  fetch?: typeof globalThis.fetch;
  /** Most redirects followed. Default 5. */
  maxRedirects?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface DownloadedFile {
  path: string;
  size: number;
  contentType: string | undefined;
  /** The URL finally answered (after redirects). */
  url: string;
}

export const DEFAULT_DOWNLOAD_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_DOWNLOAD_TIMEOUT = 120_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface Hop {
  status: number;
  header(name: string): string | undefined;
  body: AsyncIterable<Uint8Array>;
  discard(): void;
}

/** The URL without query and fragment, for messages (a signed query is a credential for 24 h). */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * The request target exactly as written in `url` (path and query, no fragment). Signed URLs must reach the
 * server byte for byte: re-serialising them through `URL` can change escapes and break the signature.
 */
function rawTarget(url: string): string {
  const afterScheme = url.indexOf('//') + 2;
  let start = afterScheme;
  while (start < url.length && !'/?#'.includes(url[start]!)) start++;
  let target = url.slice(start);
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  if (target === '' || target.startsWith('?')) target = `/${target}`;
  return target;
}

class Policy {
  private readonly allowListed: ((address: string) => boolean) | undefined;

  constructor(private readonly options: DownloadOptions) {
    const allow = options.allowPrivateNetwork;
    this.allowListed = Array.isArray(allow) ? allowListMatcher(allow) : undefined;
  }

  checkProtocol(url: URL): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && this.options.allowHttp) return;
    const hint = url.protocol === 'http:' ? ' (pass allowHttp: true to allow plain http)' : '';
    throw new DownloadError(`Refusing to download ${url.protocol} URLs${hint}: ${describe(url)}`, { reason: 'protocol' });
  }

  checkAddress(address: string, url: URL): void {
    if (!isPrivateAddress(address)) return;
    if (this.options.allowPrivateNetwork === true || this.allowListed?.(address)) return;
    throw new DownloadError(
      `Refusing to connect to ${address}, a private, loopback or link-local address (${url.host}); pass allowPrivateNetwork to allow it`,
      { reason: 'blocked-address', address },
    );
  }

  /** A lookup for node:net that refuses a host if any of its addresses is not allowed. */
  lookup(url: URL): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) {
          (callback as (error: Error) => void)(error);
          return;
        }
        const list = addresses as LookupAddress[];
        try {
          for (const entry of list) this.checkAddress(entry.address, url);
        } catch (refusal) {
          (callback as (error: Error) => void)(refusal as Error);
          return;
        }
        if (options.all) (callback as (error: null, addresses: LookupAddress[]) => void)(null, list);
        else (callback as (error: null, address: string, family: number) => void)(null, list[0]!.address, list[0]!.family);
      });
    };
  }

  /** Checks every address of a host name (for the fetch transport, which resolves again itself). */
  async preResolve(url: URL, hostname: string): Promise<void> {
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(hostname, { all: true }, (error, list) => (error ? reject(error) : resolve(list))),
    );
    for (const entry of addresses) this.checkAddress(entry.address, url);
  }
}

/** One GET of a download: the URL as given (sent byte-exact) and parsed, with what every hop shares. */
interface HopRequest {
  url: string;
  parsed: URL;
  policy: Policy;
  signal: AbortSignal;
  headers: Record<string, string>;
}

function viaNodeHttp({ url, parsed, policy, signal, headers }: HopRequest): Promise<Hop> {
  const transport = parsed.protocol === 'https:' ? https : http;
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise<Hop>((resolve, reject) => {
    const request = transport.request({
      protocol: parsed.protocol,
      hostname,
      port: parsed.port || undefined,
      path: rawTarget(url),
      method: 'GET',
      headers: { accept: 'image/*,*/*;q=0.8', ...headers },
      lookup: policy.lookup(parsed),
      // A fresh connection per hop, so a pooled socket can never bypass the address check.
      agent: false,
      signal,
    });
    request.on('error', reject);
    request.on('response', (response: IncomingMessage) => {
      resolve({
        status: response.statusCode ?? 0,
        header: (name) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        body: response,
        discard: () => response.destroy(),
      });
    });
    request.end();
  });
}

async function viaFetch({ url, parsed, policy, signal, headers }: HopRequest, fetchImpl: typeof globalThis.fetch): Promise<Hop> {
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!isIP(hostname)) await policy.preResolve(parsed, hostname);
  const response = await fetchImpl(url, { redirect: 'manual', signal, headers: { accept: 'image/*,*/*;q=0.8', ...headers } });
  const body = response.body;
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    body: {
      async *[Symbol.asyncIterator]() {
        if (!body) return;
        const reader = body.getReader();
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) yield chunk.value;
        } finally {
          reader.releaseLock();
        }
      },
    },
    discard: () => void body?.cancel().catch(() => {}),
  };
}

async function readAll(hop: Hop, maxBytes: number, url: URL, sink?: (chunk: Uint8Array) => Promise<void>): Promise<Uint8Array[] | number> {
  const declared = Number(hop.header('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    hop.discard();
    throw new DownloadError(`The image at ${describe(url)} is ${declared} bytes; the limit is ${maxBytes} (maxBytes)`, { reason: 'too-large' });
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of hop.body) {
    total += chunk.length;
    if (total > maxBytes) {
      hop.discard();
      throw new DownloadError(`The image at ${describe(url)} exceeds ${maxBytes} bytes (maxBytes)`, { reason: 'too-large' });
    }
    if (sink) await sink(chunk);
    else chunks.push(chunk);
  }
  return sink ? total : chunks;
}

/** A short description of an error answer (the storage host's `{"Code":"AccessDenied"}` and the like). */
async function errorDetail(hop: Hop): Promise<string> {
  let text = '';
  try {
    for await (const chunk of hop.body) {
      text += new TextDecoder().decode(chunk);
      if (text.length > 4096) break;
    }
  } catch {
    // the detail is optional
  }
  hop.discard();
  try {
    const body = JSON.parse(text) as { Code?: unknown; code?: unknown; error?: { code?: unknown } };
    const code = body.Code ?? body.code ?? body.error?.code;
    return typeof code === 'string' ? ` (${code})` : '';
  } catch {
    return '';
  }
}

/** Streams the body to `path` (see writeFileAtomic) and returns its size. */
async function writeBodyToFile(path: string, hop: Hop, maxBytes: number, url: URL): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  let size = 0;
  await writeFileAtomic(path, async (file) => {
    size = (await readAll(hop, maxBytes, url, async (chunk) => {
      await file.write(chunk);
    })) as number;
  });
  return size;
}

export function downloadImage(url: string, options?: DownloadOptions & { to?: undefined }): Promise<Uint8Array>;
export function downloadImage(url: string, options: DownloadOptions & { to: string }): Promise<DownloadedFile>;
export function downloadImage(url: string, options?: DownloadOptions): Promise<Uint8Array | DownloadedFile>;
/**
 * Downloads an image URL (e.g. a Seedream result) to bytes, or to a file with `to`. https only, public
 * addresses only, at most 5 redirects (each re-checked), at most 64 MiB, 2 minutes — all configurable. The
 * URL is sent byte-exact (signed URLs break when re-escaped).
 */
export async function downloadImage(url: string, options: DownloadOptions = {}): Promise<Uint8Array | DownloadedFile> {
  const policy = new Policy(options);
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? 5;
  const timeout = options.timeout ?? DEFAULT_DOWNLOAD_TIMEOUT;
  const controller = new AbortController();
  let cause: 'user' | 'deadline' | undefined;
  const onAbort = () => {
    cause ??= 'user';
    controller.abort();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeout > 0 && timeout < 2 ** 31
      ? setTimeout(() => {
          cause ??= 'deadline';
          controller.abort();
        }, timeout)
      : undefined;

  let current = url;
  let parsed: URL | undefined;
  try {
    for (let hop = 0; ; hop++) {
      try {
        parsed = new URL(current);
      } catch {
        throw new DownloadError('Not an absolute URL', { reason: 'invalid-url' });
      }
      policy.checkProtocol(parsed);
      const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
      if (isIP(hostname)) policy.checkAddress(hostname, parsed);
      if (cause) throw new Error('aborted');
      const request: HopRequest = { url: current, parsed, policy, signal: controller.signal, headers: options.headers ?? {} };
      const response = options.fetch ? await viaFetch(request, options.fetch) : await viaNodeHttp(request);
      const location = response.header('location');
      if (REDIRECTS.has(response.status) && location) {
        response.discard();
        if (hop >= maxRedirects) {
          throw new DownloadError(`More than ${maxRedirects} redirects from ${describe(new URL(url))}`, { reason: 'too-many-redirects' });
        }
        current = new URL(location, parsed).href;
        continue;
      }
      if (response.status < 200 || response.status >= 300) {
        const detail = await errorDetail(response);
        throw new DownloadError(`Download of ${describe(parsed)} failed with HTTP ${response.status}${detail}`, {
          reason: 'http-status',
          status: response.status,
        });
      }
      const contentType = response.header('content-type');
      if (options.to !== undefined) {
        const size = await writeBodyToFile(options.to, response, maxBytes, parsed);
        return { path: options.to, size, contentType, url: current };
      }
      return concatBytes((await readAll(response, maxBytes, parsed)) as Uint8Array[]);
    }
  } catch (error) {
    if (cause === 'user') throw new APIUserAbortError('The download was aborted by the caller', { cause: options.signal?.reason });
    if (cause === 'deadline') {
      throw new APITimeoutError(`The download did not finish within ${timeout} ms`, { phase: 'deadline', timeout });
    }
    if (isSeedreamError(error)) throw error;
    const code = errorCode(error);
    throw new DownloadError(`Download of ${parsed ? describe(parsed) : 'the URL'} failed${code ? ` (${code})` : ''}`, {
      reason: 'network',
      cause: error,
    });
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
