/** Job ids: 192 random bits, base64url, so an id cannot be guessed or enumerated. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const JOB_ID = /^job_[A-Za-z0-9_-]{32}$/;

export function newJobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let id = 'job_';
  for (const byte of bytes) id += ALPHABET[byte & 63];
  return id;
}

export const isJobId = (value: unknown): value is string => typeof value === 'string' && JOB_ID.test(value);

/** An idempotency key as a client sends it: 1–255 visible ASCII characters. */
export const isIdempotencyKey = (value: unknown): value is string => typeof value === 'string' && /^[\x21-\x7e]{1,255}$/.test(value);
