// @ts-check
/**
 * The playground's `authorize`: only pages served by this server may call its APIs. A real app puts its own
 * auth here (a session cookie, a bearer token, a per-user budget); the kit's route and schema fail closed without it.
 */

/**
 * Hosts this server answers to. A Host header outside the list is refused, which also defeats DNS rebinding.
 * @param {string} host
 * @param {number} port
 * @param {string[]} [extra] more `host:port` values (e.g. behind a proxy), from PLAYGROUND_ALLOWED_HOSTS
 * @returns {Set<string>}
 */
export function allowedHostsFor(host, port, extra = []) {
  const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  const hosts = new Set(extra.map((value) => value.trim().toLowerCase()).filter(Boolean));
  for (const name of names) hosts.add(`${name}:${port}`.toLowerCase());
  return hosts;
}

/**
 * True for a request made by a page of this origin: the Host is ours, and the browser says the request comes from
 * the same origin (`Origin` equal to our own, or `Sec-Fetch-Site: same-origin`). Requests without either header
 * (curl, scripts) are refused: fail closed.
 * @param {{ get(name: string): string | null }} headers
 * @param {Set<string>} allowedHosts
 */
export function isSameOrigin(headers, allowedHosts) {
  const host = headers.get('host')?.toLowerCase();
  if (!host || !allowedHosts.has(host)) return false;
  const origin = headers.get('origin');
  if (origin !== null) return origin.toLowerCase() === `http://${host}`;
  const site = headers.get('sec-fetch-site');
  return site === 'same-origin';
}

/**
 * Node's IncomingMessage headers in the shape `isSameOrigin` reads.
 * @param {import('node:http').IncomingHttpHeaders} headers
 */
export function nodeHeaders(headers) {
  return {
    /** @param {string} name */
    get(name) {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    },
  };
}
