/**
 * `vite dev` serves images itself (Rollup's emitFile does not exist in dev): cache files by their content
 * name straight from the cache folder, and in-memory art (offline art, placeholders) from a map.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CACHE_FILE } from '@seedream-kit/art';

const CONTENT_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' };

export interface MemoryImage {
  bytes: Uint8Array;
  type: string;
}

export interface ImageMiddlewareOptions {
  /** Vite's `base`, e.g. `/` or `/app/`. */
  base: () => string;
  /** `/@seedream/` */
  prefix: string;
  cacheDir: () => string;
  /** In-memory images by path after the prefix (paths start with `~`). */
  memory: ReadonlyMap<string, MemoryImage>;
}

export function createImageMiddleware(options: ImageMiddlewareOptions) {
  async function serve(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    const url = (req.url ?? '').split('?')[0]!;
    const base = options.base().replace(/\/$/, '');
    const { prefix } = options;
    const at = url.startsWith(base + prefix) ? base.length + prefix.length : url.startsWith(prefix) ? prefix.length : -1;
    if (at < 0) return next();
    const path = decodeURIComponent(url.slice(at));
    let image = options.memory.get(path);
    // Only names the cache itself writes: no path can leave the folder.
    if (!image && CACHE_FILE.test(path)) {
      const bytes = await readFile(join(options.cacheDir(), path)).catch(() => undefined);
      if (bytes) image = { bytes, type: CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream' };
    }
    if (!image) {
      res.statusCode = 404;
      res.end('seedream: no such image');
      return;
    }
    res.setHeader('content-type', image.type);
    res.setHeader('content-length', image.bytes.byteLength);
    // Cache files are content-addressed; in-memory art is replaced under another URL, never revalidated.
    res.setHeader('cache-control', path.startsWith('~') ? 'no-store' : 'max-age=31536000, immutable');
    res.end(image.bytes);
  }
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    serve(req, res, next).catch(next);
  };
}
