/**
 * Reference images uploaded once, then named by handle: the generation request stays a small JSON body. An
 * upload is a raw image body (never JSON, never base64), capped in bytes while it streams in, typed from its
 * bytes, bound to the caller that uploaded it and gone after its time to live.
 */
import { readCapped } from './body.js';
import { SpendingPolicyError } from './errors.js';
import { sniffImageType } from '../sniff.js';
import type { SpendingPolicy } from './policy.js';

const HANDLE_PREFIX = 'upload:';
const HANDLE = /^upload:[A-Za-z0-9_-]{32}$/;

/** True for a string shaped like an upload handle (`upload:` and 32 URL-safe characters). */
export function isUploadHandle(value: unknown): value is string {
  return typeof value === 'string' && HANDLE.test(value);
}

export interface StoredUpload {
  handle: string;
  bytes: number;
  /** MIME type sniffed from the bytes. */
  type: string;
  /** Epoch milliseconds after which the handle no longer resolves. */
  expiresAt: number;
}

/** Where uploads live. The in-memory store is the default; a shared store lets N instances resolve each other's handles. */
export interface UploadStore {
  put(owner: string, bytes: Uint8Array, type: string): StoredUpload | Promise<StoredUpload>;
  /** The bytes, only for the caller that uploaded them and only until they expire. */
  get(handle: string, owner: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

export interface MemoryUploadStoreOptions {
  /** Seconds a handle stays valid. Default 3 600. */
  ttlSeconds?: number;
  /** Most live uploads per caller; the oldest goes first. Default 20. */
  maxPerOwner?: number;
  /** Most bytes held for all callers together; over it, the oldest uploads go first. Default 256 MiB. */
  maxTotalBytes?: number;
  now?: () => number;
}

function randomHandle(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return HANDLE_PREFIX + btoa(text).replace(/\+/g, '-').replace(/\//g, '_');
}

export class MemoryUploadStore implements UploadStore {
  // Insertion order is age order: eviction walks from the front.
  readonly #uploads = new Map<string, { owner: string; bytes: Uint8Array; expiresAt: number }>();
  #totalBytes = 0;
  readonly #ttl: number;
  readonly #maxPerOwner: number;
  readonly #maxTotalBytes: number;
  readonly #now: () => number;

  constructor(options: MemoryUploadStoreOptions = {}) {
    this.#ttl = (options.ttlSeconds ?? 3600) * 1000;
    this.#maxPerOwner = options.maxPerOwner ?? 20;
    this.#maxTotalBytes = options.maxTotalBytes ?? 256 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
  }

  put(owner: string, bytes: Uint8Array, type: string): StoredUpload {
    this.#expire();
    const mine = [...this.#uploads].filter(([, upload]) => upload.owner === owner);
    for (const [handle] of mine.slice(0, Math.max(0, mine.length - this.#maxPerOwner + 1))) this.#delete(handle);
    for (const [handle] of this.#uploads) {
      if (this.#totalBytes + bytes.byteLength <= this.#maxTotalBytes) break;
      this.#delete(handle);
    }
    const handle = randomHandle();
    const expiresAt = this.#now() + this.#ttl;
    this.#uploads.set(handle, { owner, bytes, expiresAt });
    this.#totalBytes += bytes.byteLength;
    return { handle, bytes: bytes.byteLength, type, expiresAt };
  }

  get(handle: string, owner: string): Uint8Array | undefined {
    const upload = this.#uploads.get(handle);
    if (!upload || upload.owner !== owner || upload.expiresAt <= this.#now()) return undefined;
    return upload.bytes;
  }

  #expire(): void {
    const now = this.#now();
    for (const [handle, upload] of this.#uploads) if (upload.expiresAt <= now) this.#delete(handle);
  }

  #delete(handle: string): void {
    const upload = this.#uploads.get(handle);
    if (!upload) return;
    this.#totalBytes -= upload.bytes.byteLength;
    this.#uploads.delete(handle);
  }
}

export interface UploadHandlerOptions {
  policy: SpendingPolicy;
  store: UploadStore;
  /** Largest upload in bytes. Default 10 MiB (the 4.x models' limit per reference image). */
  maxBytes?: number;
}

/**
 * A Fetch-standard handler for `POST <upload url>` with the raw image as the body and an `image/*` Content-Type
 * (not a CORS-safelisted type, so another site cannot send it without a preflight). Answers 201 with
 * `{ handle, bytes, type, expiresAt }`, or the route's error shape.
 */
export function createUploadHandler(options: UploadHandlerOptions): (request: Request) => Promise<Response> {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  return async (request) => {
    try {
      if (request.method !== 'POST') throw new SpendingPolicyError('bad_request', 405, 'Use POST');
      const contentType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!contentType.startsWith('image/')) throw new SpendingPolicyError('bad_request', 415, 'Send the image bytes with an image/* Content-Type');
      const caller = await options.policy.identify(request, 'upload');
      const declared = request.headers.get('content-length');
      if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) {
        throw new SpendingPolicyError('limit_exceeded', 413, `An upload may have at most ${maxBytes} bytes`);
      }
      const bytes = await readCapped(request, maxBytes);
      if (!bytes) throw new SpendingPolicyError('limit_exceeded', 413, `An upload may have at most ${maxBytes} bytes`);
      const sniffed = sniffImageType(bytes);
      if (!sniffed) throw new SpendingPolicyError('bad_request', 415, 'The bytes are not an image format we know');
      const stored = await options.store.put(caller.id, bytes, sniffed.mime);
      return Response.json(stored, { status: 201, headers: SAFE_HEADERS });
    } catch (error) {
      const refusal = error instanceof SpendingPolicyError ? error : new SpendingPolicyError('upstream', 500, 'Internal error');
      const headers: Record<string, string> = { ...SAFE_HEADERS, ...(refusal.status === 405 ? { allow: 'POST' } : {}) };
      return Response.json({ error: { kind: refusal.kind, message: refusal.message, status: refusal.status } }, { status: refusal.status, headers });
    }
  };
}

const SAFE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
