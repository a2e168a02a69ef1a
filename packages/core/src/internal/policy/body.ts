/**
 * Reads a JSON request body with a byte cap that holds before anything is buffered, decoded or parsed: a declared
 * Content-Length over the cap is refused unread, and a chunked body is counted as it streams in.
 */
import { SpendingPolicyError } from './errors.js';
import { concatBytes } from '../bytes.js';
import { isPlainObject } from '../plain-object.js';

const CONTENT_LENGTH = /^\d+$/;

export async function readJsonObject(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const tooLarge = () => new SpendingPolicyError('limit_exceeded', 413, `The request body is larger than ${maxBytes} bytes`);
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    if (!CONTENT_LENGTH.test(declared)) throw new SpendingPolicyError('bad_request', 400, 'Content-Length is malformed');
    if (Number(declared) > maxBytes) throw tooLarge();
  }
  const bytes = await readCapped(request, maxBytes);
  if (bytes === undefined) throw tooLarge();
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    body = undefined;
  }
  if (!isPlainObject(body)) throw new SpendingPolicyError('bad_request', 400, 'The body must be a JSON object');
  return body;
}

/** The body's bytes, or undefined as soon as more than `maxBytes` have arrived. */
export async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    throw new SpendingPolicyError('bad_request', 400, 'The request body could not be read');
  } finally {
    // The Request lives as long as its job: a reader left locked on its body would too.
    reader.releaseLock();
  }
  return concatBytes(chunks);
}
