/** GET/HEAD of a result URL: checks the signature over the raw query and the expiry, like the storage host. */
import { createHash } from 'node:crypto';
import type { Exchange, ServerContext } from '../context.js';
import { sendJson } from './errors.js';

export const IMAGE_PATH = /^\/[A-Za-z0-9._-]+\/[0-9a-f]{16,}_\d+\.(?:png|jpeg)$/;

const ACCESS_DENIED = { Code: 'AccessDenied', Message: 'Access Denied', EC: '0003-00000015' };
const NO_SUCH_KEY = { Code: 'NoSuchKey', Message: 'The specified key does not exist.', EC: '0026-00000001' };

export function handleDownload(context: ServerContext, exchange: Exchange, method: string, rawUrl: string): void {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const rawQuery = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
  const headers = { server: 'TosServer', 'x-tos-request-id': exchange.requestId };
  const verified = context.signer.verify(path, rawQuery);
  const stored = context.store.get(path);
  if (!verified || Date.now() >= (stored?.expiresAt ?? verified.expiresAt)) {
    sendJson(context, exchange, { status: 403, body: ACCESS_DENIED, headers });
    return;
  }
  if (!stored) {
    sendJson(context, exchange, { status: 404, body: NO_SUCH_KEY, headers });
    return;
  }
  const etag = `"${createHash('md5').update(stored.bytes).digest('hex')}"`;
  exchange.res.writeHead(200, {
    ...headers,
    'content-type': stored.contentType,
    'content-length': String(stored.bytes.byteLength),
    etag,
    'cache-control': 'private, max-age=86400',
  });
  exchange.res.end(method === 'HEAD' ? undefined : stored.bytes);
}
