/** Runtime probes that must not throw or import anything Node-only (the main entry runs in browsers). */

/** `process.env[name]` where a `process` exists (Node, Bun, Deno's compat layer), read at call time. */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value ? value : undefined;
}

/**
 * A page in a browser (or a test that fakes one): `window` and `document` exist and this is not Node. A DOM
 * emulation inside Node (happy-dom, jsdom) is Node, where holding a key is fine.
 */
export function isBrowserLike(): boolean {
  const scope = globalThis as { window?: unknown; document?: unknown; process?: { versions?: { node?: string } } };
  return typeof scope.window !== 'undefined' && typeof scope.document !== 'undefined' && !scope.process?.versions?.node;
}

let probedRequest: unknown;
let acceptsRedirectError = false;

/**
 * The redirect mode the client asks of fetch; it never follows a redirect (a paid POST must not be replayed
 * elsewhere or turned into a GET). Outside browsers it is `error` where the runtime accepts it: Node's fetch
 * copies the request body for every other mode, about a sixth of a small call. Cloudflare Workers refuse `error`,
 * so they keep `manual`, as browsers do (their opaque answer says more than a bare "Failed to fetch").
 */
export function redirectMode(): RequestRedirect {
  if (isBrowserLike()) return 'manual';
  const RequestClass = (globalThis as { Request?: typeof Request }).Request;
  if (probedRequest !== RequestClass) {
    probedRequest = RequestClass;
    try {
      acceptsRedirectError = RequestClass !== undefined && new RequestClass('http://localhost/', { redirect: 'error' }).redirect === 'error';
    } catch {
      acceptsRedirectError = false;
    }
  }
  return acceptsRedirectError ? 'error' : 'manual';
}
