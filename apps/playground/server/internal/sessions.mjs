// @ts-check
/**
 * Per-visit sessions: the page sets an HttpOnly, SameSite=Strict cookie holding a random id, and the APIs require
 * it. The id is the caller the spending policy budgets. What this stops: other sites (the cookie is not sent
 * cross-site), and scripts that only forge headers (no cookie, no spending). What it does not stop: a script that
 * loads the page first to get a cookie of its own; the per-caller and global budgets are the backstop, and a real
 * app puts its sign-in here (see the README's "Sessions" section and SECURITY.md).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'seedream_session';
const TOKEN = /^([A-Za-z0-9_-]{32})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

/**
 * Sessions are signed tokens (`id.expiry.mac`, HMAC-SHA-256), so every instance that shares the secret accepts
 * them and none keeps state. Without a secret each process draws its own: another server's cookies are refused.
 * @param {{ ttlMs?: number, secret?: string, now?: () => number }} [options]
 *   ttlMs: a session's life (default 12 h); secret: shared by the instances behind one address
 */
export function createSessions({ ttlMs = 12 * 3600_000, secret = randomBytes(32).toString('base64url'), now = Date.now } = {}) {
  /** @param {string} payload */
  const mac = (payload) => createHmac('sha256', secret).update(payload).digest('base64url');

  /** @param {string | undefined} token the session id, when the token is genuine and live */
  function idOf(token) {
    const match = token ? TOKEN.exec(token) : null;
    if (!match) return undefined;
    const [, id, expires, signature] = /** @type {[string, string, string, string]} */ (/** @type {unknown} */ (match));
    const expected = Buffer.from(mac(`${id}.${expires}`));
    if (!timingSafeEqual(expected, Buffer.from(signature)) || Number(expires) <= now()) return undefined;
    return id;
  }

  return {
    /**
     * The session of this request, or undefined.
     * @param {{ get(name: string): string | null }} headers
     */
    callerOf(headers) {
      return idOf(readCookie(headers.get('cookie'), SESSION_COOKIE));
    },
    /**
     * Makes sure the answer carries a live session: a new cookie when the request has none.
     * @param {{ get(name: string): string | null }} headers
     * @param {import('node:http').ServerResponse} res
     */
    ensure(headers, res) {
      if (this.callerOf(headers)) return;
      const id = randomBytes(24).toString('base64url');
      const expires = now() + ttlMs;
      const token = `${id}.${expires}.${mac(`${id}.${expires}`)}`;
      res.appendHeader('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ttlMs / 1000)}`);
    },
  };
}

/**
 * One cookie's value from a Cookie header, without parsing anything else.
 * @param {string | null} header
 * @param {string} name
 */
function readCookie(header, name) {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
