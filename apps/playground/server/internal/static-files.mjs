// @ts-check
/** Serves the built app from dist/: hashed assets cached for a year, index.html for every other page route. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * @param {string} root absolute path of dist/
 * @param {(res: import('node:http').ServerResponse) => void} [onHtml] adds headers to HTML answers
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createStaticHandler(root, onHtml) {
  const base = normalize(root + sep);

  /** @param {string} pathname */
  async function resolve(pathname) {
    let decoded;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const file = normalize(join(base, decoded));
    if (!file.startsWith(base)) return undefined; // path traversal
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) return { file, size: info.size };
    return undefined;
  }

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    let found = pathname.endsWith('/') ? undefined : await resolve(pathname);
    const isAsset = pathname.startsWith('/assets/');
    if (!found && !isAsset && !extname(pathname)) found = await resolve('/index.html'); // client-side routes
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const type = TYPES[/** @type {keyof typeof TYPES} */ (extname(found.file).toLowerCase())] ?? 'application/octet-stream';
    res.setHeader('content-type', type);
    res.setHeader('content-length', found.size);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', isAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (type.startsWith('text/html')) onHtml?.(res);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}
