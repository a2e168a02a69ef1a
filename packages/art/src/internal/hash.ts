import { createHash } from 'node:crypto';

/** Hex SHA-256 of bytes or UTF-8 text. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
