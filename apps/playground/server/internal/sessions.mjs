// @ts-check
/**
 * Per-visit sessions: the page sets an HttpOnly, SameSite=Strict cookie holding a random id, and the APIs require
 * it. The id is the caller the spending policy budgets. What this stops: other sites (the cookie is not sent
 * cross-site), and scripts that only forge headers (no cookie, no spending). What it does not stop: a script that
 * loads the page first to get a cookie of its own; the per-caller and global budgets are the backstop, and a real
 * app puts its sign-in here (see the README's "Sessions" section and SECURITY.md).
 */
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'seedream_session';
const ID = /^[A-Za-z0-9_-]{32}$/;

/**
 * @param {{ ttlMs?: number, maxSessions?: number, now?: () => number }} [options]
 *   ttlMs: a session's life (default 12 h); maxSessions: the most kept at once, oldest dropped first (default 10 000)
 */
export function createSessions({ ttlMs = 12 * 3600_000, maxSessions = 10_000, now = Date.now } = {}) {
  /** @type {Map<string, number>} id → expiry; insertion order is age order */
  const sessions = new Map();

  /** @param {string | undefined} id */
  function isLive(id) {
    if (!id || !ID.test(id)) return false;
    const expires = sessions.get(id);
    if (expires === undefined) return false;
    if (expires <= now()) {
      sessions.delete(id);
      return false;
    }
    return true;
  }

  return {
    /**
     * The session of this request, or undefined.
     * @param {{ get(name: string): string | null }} headers
     */
    callerOf(headers) {
      const id = readCookie(headers.get('cookie'), SESSION_COOKIE);
      return isLive(id) ? id : undefined;
    },
    /**
     * Makes sure the answer carries a live session: a new cookie when the request has none.
     * @param {{ get(name: string): string | null }} headers
     * @param {import('node:http').ServerResponse} res
     */
    ensure(headers, res) {
      if (this.callerOf(headers)) return;
      while (sessions.size >= maxSessions) sessions.delete(/** @type {string} */ (sessions.keys().next().value));
      const id = randomBytes(24).toString('base64url');
      sessions.set(id, now() + ttlMs);
      res.appendHeader('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ttlMs / 1000)}`);
    },
    get size() {
      return sessions.size;
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
