/**
 * One Uint8Array that owns its memory, from chunks read off a stream (always a copy: a chunk can be a view of a
 * larger socket buffer, whose other bytes must not travel with it).
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
