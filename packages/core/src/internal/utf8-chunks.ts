/**
 * UTF-8 decoding of a byte stream, chunk by chunk, with one decoder shared by every stream. A streaming
 * `TextDecoder` per stream holds about 1 KB of native converter state for the stream's whole life, and a server
 * holds thousands of open streams (every job reads one). A character split across chunks is carried over: each
 * stream keeps at most 3 bytes of its own.
 */

/** Stateless (never called with `stream: true`); keeps a U+FEFF wherever it is, the stream's first is dropped below. */
const shared = new TextDecoder('utf-8', { ignoreBOM: true });
const EMPTY = new Uint8Array(0);

export class Utf8Chunks {
  #carry: Uint8Array | undefined;
  #started = false;

  /** The text of `chunk` up to its last whole character; without a chunk, the end of the stream (a dangling partial character becomes U+FFFD). */
  decode(chunk?: Uint8Array): string {
    let bytes = chunk ?? EMPTY;
    if (this.#carry) {
      const joined = new Uint8Array(this.#carry.length + bytes.length);
      joined.set(this.#carry);
      joined.set(bytes, this.#carry.length);
      bytes = joined;
      this.#carry = undefined;
    }
    if (chunk !== undefined) {
      const whole = wholeCharacters(bytes);
      if (whole < bytes.length) {
        this.#carry = bytes.slice(whole);
        bytes = bytes.subarray(0, whole);
      }
    }
    if (bytes.length === 0) return '';
    let text = shared.decode(bytes);
    // As a fresh TextDecoder does: a byte order mark opening the stream is not text.
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }
}

/** How many leading bytes end on a character boundary: a lead byte near the end whose sequence is incomplete is cut off with what follows it. */
function wholeCharacters(bytes: Uint8Array): number {
  let lead = bytes.length - 1;
  // Back over at most 3 continuation bytes (10xxxxxx) to the last character's first byte.
  while (lead >= 0 && bytes.length - lead <= 3 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.length; // nothing but continuation bytes: invalid, the decoder replaces them
  const first = bytes[lead]!;
  const size = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return bytes.length - lead >= size ? bytes.length : lead;
}
