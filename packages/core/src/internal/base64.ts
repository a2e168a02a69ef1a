/**
 * Base64 without Node's Buffer (the main entry must run in browsers): encoding of reference images, and a
 * streaming decoder that turns base64 text arriving in pieces straight into bytes.
 */

const SEGMENT = 64 * 1024;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INVALID = 255;
const PAD = 254;

/** Byte (char code) → 6-bit value; also accepts the URL-safe alphabet. */
const DECODE = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256).fill(INVALID);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  table['='.charCodeAt(0)] = PAD;
  return table;
})();

type NodeBuffer = { from(data: Uint8Array): { toString(encoding: 'base64'): string } };
const NodeBufferImpl = (globalThis as { Buffer?: NodeBuffer }).Buffer;

export function encodeBase64(bytes: Uint8Array): string {
  if (NodeBufferImpl) return NodeBufferImpl.from(bytes).toString('base64');
  let out = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(out);
}

/** Decoded size of a base64 payload, without decoding it. */
export function base64DecodedLength(text: string): number {
  let length = text.length;
  while (length > 0 && text.charCodeAt(length - 1) === 61 /* = */) length--;
  return Math.floor((length * 3) / 4);
}

/**
 * Accumulates base64 text given in pieces (bytes or strings) and decodes it as it goes. Characters outside
 * the alphabet (line breaks, padding) are skipped.
 *
 * Memory: a value is decoded into a first buffer sized like the previous value (the images of one response
 * are usually alike); when that guess is exact the buffer is handed over as the result. Otherwise decoding
 * continues in 64 KiB segments (never grown and copied) and the result is one exact-size copy at the end. So
 * decoding N similar images allocates little more than the N images themselves.
 */
export class Base64Decoder {
  private buffer: Uint8Array | undefined;
  private length = 0;
  /** Filled earlier segments of the current value. */
  private readonly segments: Uint8Array[] = [];
  private segmentsLength = 0;
  private bits = 0;
  private bitCount = 0;

  constructor(private capacityHint = SEGMENT) {}

  /** The segment to write `extra` more bytes into (a new one when the current one is full). */
  private ensure(extra: number): Uint8Array {
    const buffer = this.buffer;
    if (buffer && this.length + extra <= buffer.length) return buffer;
    if (buffer && this.length > 0) {
      this.segments.push(buffer.subarray(0, this.length));
      this.segmentsLength += this.length;
    }
    const first = !buffer && this.segments.length === 0;
    const next = new Uint8Array(Math.max(extra, first ? this.capacityHint : SEGMENT));
    this.buffer = next;
    this.length = 0;
    return next;
  }

  /** Feeds the char codes `bytes[start, end)`. */
  writeBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    // Exact when every character is in the alphabet (the norm), an overestimate otherwise.
    let valid = end - start;
    while (valid > 0 && bytes[start + valid - 1] === 61 /* = */) valid--;
    const out = this.ensure(Math.floor((this.bitCount + 6 * valid) / 8));
    let length = this.length;
    let bits = this.bits;
    let bitCount = this.bitCount;
    let i = start;
    // Fast path: whole quads of valid characters, no carried bits.
    if (bitCount === 0) {
      const quadEnd = start + ((end - start) & ~3);
      for (; i < quadEnd; i += 4) {
        const a = DECODE[bytes[i]!]!;
        const b = DECODE[bytes[i + 1]!]!;
        const c = DECODE[bytes[i + 2]!]!;
        const d = DECODE[bytes[i + 3]!]!;
        if ((a | b | c | d) >= 64) break; // something special: finish slowly
        out[length++] = (a << 2) | (b >> 4);
        out[length++] = ((b & 15) << 4) | (c >> 2);
        out[length++] = ((c & 3) << 6) | d;
      }
    }
    for (; i < end; i++) {
      const value = DECODE[bytes[i]!]!;
      if (value >= 64) continue;
      bits = ((bits << 6) | value) & 0xffffff;
      bitCount += 6;
      if (bitCount >= 8) {
        bitCount -= 8;
        out[length++] = (bits >> bitCount) & 0xff;
      }
    }
    this.length = length;
    this.bits = bits;
    this.bitCount = bitCount;
  }

  /** Feeds one char code. */
  writeCode(code: number): void {
    const value = code < 256 ? DECODE[code]! : INVALID;
    if (value >= 64) return;
    const out = this.ensure(1);
    this.bits = ((this.bits << 6) | value) & 0xffffff;
    this.bitCount += 6;
    if (this.bitCount >= 8) {
      this.bitCount -= 8;
      out[this.length++] = (this.bits >> this.bitCount) & 0xff;
    }
  }

  writeString(text: string): void {
    const chunk = 64 * 1024;
    const codes = new Uint8Array(Math.min(chunk, text.length));
    for (let offset = 0; offset < text.length; offset += chunk) {
      const end = Math.min(text.length, offset + chunk);
      for (let i = offset; i < end; i++) {
        const code = text.charCodeAt(i);
        codes[i - offset] = code < 256 ? code : 0; // 0 is not in the alphabet: skipped
      }
      this.writeBytes(codes, 0, end - offset);
    }
  }

  /** The bytes decoded since the last `finish()`, exact size; leftover bits (bad padding) are dropped. */
  finish(): Uint8Array {
    const buffer = this.buffer;
    const total = this.segmentsLength + this.length;
    let result: Uint8Array;
    if (buffer && this.segments.length === 0 && this.length === buffer.length) {
      result = buffer;
    } else {
      result = new Uint8Array(total);
      let offset = 0;
      for (const segment of this.segments) {
        result.set(segment, offset);
        offset += segment.length;
      }
      if (buffer) result.set(buffer.subarray(0, this.length), offset);
    }
    this.buffer = undefined;
    this.segments.length = 0;
    this.segmentsLength = 0;
    if (total > 0) this.capacityHint = total;
    this.length = 0;
    this.bits = 0;
    this.bitCount = 0;
    return result;
  }
}

type NodeBufferDecoder = { from(text: string, encoding: 'base64'): Uint8Array };

export function decodeBase64(text: string): Uint8Array {
  // On a server, Node's native decoder (same leniency: characters outside the alphabet are skipped) keeps the
  // event loop free while many b64_json images stream through; browsers use the decoder above.
  if (NodeBufferImpl && text.length > 8192) {
    const decoded = (NodeBufferImpl as unknown as NodeBufferDecoder).from(text, 'base64');
    // A result must own its memory, never a view of Node's shared pool (used below 4 KiB).
    const owned = decoded.byteOffset === 0 && decoded.buffer.byteLength === decoded.byteLength;
    return owned ? new Uint8Array(decoded.buffer, 0, decoded.byteLength) : Uint8Array.prototype.slice.call(decoded);
  }
  const decoder = new Base64Decoder(base64DecodedLength(text));
  decoder.writeString(text);
  return decoder.finish();
}
