// @ts-check
/**
 * GET /api/download?url=…&filename=…: re-serves a generated image as an attachment, so the browser can save an
 * image that lives on another origin (a `download` link only works same-origin). Only image hosts on an allow-list
 * are fetched (the in-process emulator, the provider's storage), through core's SSRF-guarded `downloadImage`, so
 * this is not an open proxy.
 */
import { sniffImageType } from '@seedream-kit/core';
import { downloadImage } from '@seedream-kit/core/node';

/** Hosts of the provider's result URLs (TOS buckets of Volcengine and BytePlus) and CometAPI. */
export const DEFAULT_IMAGE_HOST_SUFFIXES = ['.volces.com', '.bytepluses.com', '.byteimg.com', '.cometapi.com'];

/**
 * @param {{ emulatorOrigin?: string, hostSuffixes?: string[], timeoutMs?: number }} options
 *   emulatorOrigin: the in-process emulator (plain http on loopback); hostSuffixes: https hosts allowed
 */
export function createDownloadHandler({ emulatorOrigin, hostSuffixes = DEFAULT_IMAGE_HOST_SUFFIXES, timeoutMs = 60_000 }) {
  /** @param {URL} target */
  function allowed(target) {
    if (target.username || target.password) return false;
    if (emulatorOrigin && target.origin === emulatorOrigin) return true;
    const host = target.hostname.toLowerCase();
    return target.protocol === 'https:' && hostSuffixes.some((suffix) => host.endsWith(suffix.toLowerCase()));
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  return async (req, res) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const raw = query.get('url') ?? '';
    let target;
    try {
      target = new URL(raw);
    } catch {
      return sendError(res, 400, 'The url parameter is not a URL.');
    }
    if (!allowed(target)) return sendError(res, 403, 'That host is not an image host this server downloads from.');

    const controller = new AbortController();
    res.once('close', () => controller.abort());
    const isEmulator = target.origin === emulatorOrigin;
    let bytes;
    try {
      // The raw string, not target.href: signed URLs must reach the host byte for byte.
      bytes = /** @type {Uint8Array} */ (
        await downloadImage(raw, {
          signal: controller.signal,
          timeout: timeoutMs,
          allowHttp: isEmulator,
          allowPrivateNetwork: isEmulator ? [target.hostname] : false,
        })
      );
    } catch {
      if (controller.signal.aborted) return;
      return sendError(res, 502, 'The image could not be fetched; its link may have expired (result URLs last 24 hours).');
    }
    const type = sniffImageType(bytes);
    if (!type || !/^image\/(png|jpeg|webp|gif)$/.test(type.mime)) return sendError(res, 502, 'The image host did not answer with an image.');
    res.writeHead(200, {
      'content-type': type.mime,
      'content-length': String(bytes.byteLength),
      'content-disposition': `attachment; filename="${safeFilename(query.get('filename'), type.format)}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(bytes);
  };
}

/**
 * @param {string | null} name
 * @param {string} format
 */
function safeFilename(name, format) {
  const cleaned = (name ?? '')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 80);
  return cleaned || `seedream.${format === 'jpeg' ? 'jpg' : format}`;
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} message
 */
function sendError(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { message } }));
}
