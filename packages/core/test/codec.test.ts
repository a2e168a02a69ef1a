import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Base64Decoder, decodeBase64, encodeBase64 } from '../src/internal/base64.js';
import { B64JsonReader } from '../src/internal/b64-json-reader.js';
import { sniffImageType } from '../src/index.js';
import { imageDimensions } from '../src/internal/dimensions.js';
import { imageBytes } from './helpers.js';
import { Utf8Chunks } from '../src/internal/utf8-chunks.js';

const enc = (text: string) => new TextEncoder().encode(text);

/** Feeds `body` to a reader cut at the given offsets. */
function readInPieces(body: Uint8Array, cuts: number[]) {
  const reader = new B64JsonReader();
  let start = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < body.length)].sort((a, b) => a - b)) {
    reader.push(body.subarray(start, cut));
    start = cut;
  }
  reader.push(body.subarray(start));
  return reader.finish();
}

describe('base64', () => {
  it('round-trips any bytes, fed in any pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(400), { maxLength: 6 }), (bytes, cuts) => {
        const text = enc(Buffer.from(bytes).toString('base64'));
        const decoder = new Base64Decoder();
        let start = 0;
        for (const cut of [...cuts.filter((c) => c < text.length)].sort((a, b) => a - b)) {
          decoder.writeBytes(text, start, cut);
          start = Math.max(start, cut);
        }
        decoder.writeBytes(text, start);
        expect(Buffer.from(decoder.finish()).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes like Buffer and decodes strings with line breaks and URL-safe characters', () => {
    const bytes = randomBytes(1000);
    expect(encodeBase64(bytes)).toBe(bytes.toString('base64'));
    const wrapped = bytes.toString('base64').replace(/.{76}/g, '$&\n');
    expect(Buffer.from(decodeBase64(wrapped)).equals(bytes)).toBe(true);
    expect(Buffer.from(decodeBase64(bytes.toString('base64url'))).equals(bytes)).toBe(true);
  });

  it('hands over an exact-size buffer for each value, also when sizes vary', () => {
    const decoder = new Base64Decoder();
    for (const size of [10, 5000, 5000, 3, 70000]) {
      const bytes = randomBytes(size);
      decoder.writeString(bytes.toString('base64'));
      const out = decoder.finish();
      expect(out.byteLength).toBe(size);
      expect(out.buffer.byteLength).toBe(size);
      expect(Buffer.from(out).equals(bytes)).toBe(true);
    }
  });
});

describe('B64JsonReader', () => {
  const images = [randomBytes(3000), randomBytes(1), randomBytes(4096)];
  const body = enc(
    JSON.stringify({
      model: 'm',
      created: 5,
      data: [
        { b64_json: images[0]!.toString('base64'), size: '2048x2048' },
        { error: { code: 'OutputImageSensitiveContentDetected', message: 'blocked "b64_json": x' } },
        { size: '1x1', b64_json: images[1]!.toString('base64') },
        { b64_json: images[2]!.toString('base64').replace(/\//g, '\\/') },
      ],
      note: 'b64_json',
      url: 'https://x.example/a?X-Tos-Credential=AK%2F2025&b=1\u00e9',
    }),
  ).slice();
  // Put the escaped slashes back (JSON.stringify escaped the backslash we added).
  const text = new TextDecoder().decode(body).replace(/\\\\\//g, '\\/');
  const wire = enc(text);

  it('decodes every b64_json value into bytes and parses everything else as JSON, at any chunk boundary', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(wire.length), { maxLength: 8 }), (cuts) => {
        const { value, images: decoded } = readInPieces(wire, cuts);
        const doc = value as { data: Array<Record<string, unknown>>; note: string; url: string; created: number };
        expect(doc.created).toBe(5);
        expect(doc.note).toBe('b64_json');
        expect(doc.url).toBe('https://x.example/a?X-Tos-Credential=AK%2F2025&b=1é');
        expect(doc.data[0]!.b64_json).toBe(0);
        expect(doc.data[1]!.error).toEqual({ code: 'OutputImageSensitiveContentDetected', message: 'blocked "b64_json": x' });
        expect(doc.data[2]!.b64_json).toBe(1);
        expect(doc.data[2]!.size).toBe('1x1');
        expect(decoded.map((bytes) => Buffer.from(bytes).toString('hex'))).toEqual(images.map((bytes) => bytes.toString('hex')));
      }),
      { numRuns: 300 },
    );
  });

  it('handles \\u escapes inside base64, whitespace around the colon, and null values', () => {
    const bytes = randomBytes(30);
    const b64 = bytes.toString('base64').replace(/\+/g, '\\u002b');
    const { value, images: decoded } = readInPieces(enc(`{"data":[{"b64_json" :  "${b64}"},{"b64_json":null}]}`), [5, 17, 20]);
    expect((value as { data: unknown[] }).data).toEqual([{ b64_json: 0 }, { b64_json: null }]);
    expect(Buffer.from(decoded[0]!).equals(bytes)).toBe(true);
  });

  it('reports a body cut inside a value or malformed JSON as a SyntaxError', () => {
    const cut = new B64JsonReader();
    cut.push(enc('{"data":[{"b64_json":"AAAA'));
    expect(() => cut.finish()).toThrow(SyntaxError);
    const broken = new B64JsonReader();
    broken.push(enc('{"data":[{"b64_json":"AAAA"}'));
    expect(() => broken.finish()).toThrow(SyntaxError);
  });
});

describe('sniffImageType', () => {
  it.each(['png', 'jpeg', 'webp', 'gif', 'tiff'] as const)('recognises real %s bytes', async (format) => {
    expect(sniffImageType(await imageBytes(format))?.format).toBe(format);
  });

  it('recognises BMP, HEIC, HEIF and AVIF headers and refuses other bytes', () => {
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    bmp[14] = 40;
    expect(sniffImageType(bmp)).toEqual({ format: 'bmp', mime: 'image/bmp' });
    const ftyp = (major: string, ...compatible: string[]) => {
      const brands = [major, '\0\0\0\0', ...compatible].join('');
      const box = enc(`\0\0\0\0ftyp${brands}`);
      new DataView(box.buffer).setUint32(0, box.length);
      return box;
    };
    expect(sniffImageType(ftyp('heic', 'mif1', 'heic'))?.format).toBe('heic');
    expect(sniffImageType(ftyp('mif1', 'mif1', 'miaf'))?.format).toBe('heif');
    expect(sniffImageType(ftyp('avif', 'mif1', 'avif'))?.format).toBe('avif');
    expect(sniffImageType(ftyp('isom', 'mp41'))).toBeUndefined();
    expect(sniffImageType(enc('BM not a bitmap header'))).toBeUndefined();
    expect(sniffImageType(enc('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageType(new Uint8Array(0))).toBeUndefined();
    expect(sniffImageType(new Uint8Array([0x89, 0x50]))).toBeUndefined();
  });
});

describe('imageDimensions', () => {
  it.each(['png', 'jpeg', 'webp', 'gif'] as const)('reads the size of real %s bytes', async (format) => {
    const bytes = await imageBytes(format, 37, 23);
    expect(imageDimensions(bytes, format)).toEqual({ width: 37, height: 23 });
  });

  it('reads lossless and extended WebP and BMP headers', async () => {
    const sharpModule = (await import('sharp')).default;
    const lossless = new Uint8Array(
      await sharpModule({ create: { width: 41, height: 17, channels: 4, background: '#123456' } })
        .webp({ lossless: true })
        .toBuffer(),
    );
    expect(imageDimensions(lossless, 'webp')).toEqual({ width: 41, height: 17 });
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(14, 40, true);
    new DataView(bmp.buffer).setInt32(18, 300, true);
    new DataView(bmp.buffer).setInt32(22, -200, true); // top-down
    expect(imageDimensions(bmp, 'bmp')).toEqual({ width: 300, height: 200 });
    expect(imageDimensions(new Uint8Array(8), 'tiff')).toBeUndefined();
  });
});

describe('base64 without Buffer (browsers, edge runtimes)', () => {
  it('round-trips through btoa and the table decoder', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const expected = Buffer.from(bytes).toString('base64');
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    const fresh = await import('../src/internal/base64.js');
    const text = fresh.encodeBase64(bytes);
    vi.unstubAllGlobals();
    expect(text).toBe(expected);
    expect(fresh.decodeBase64(text)).toEqual(bytes);
  });
});

describe('Utf8Chunks (one shared decoder for every stream)', () => {
  /** What a streaming TextDecoder of its own makes of the same pieces: the reference. */
  const reference = (pieces: Uint8Array[]) => {
    const decoder = new TextDecoder();
    return pieces.map((piece) => decoder.decode(piece, { stream: true })).join('') + decoder.decode();
  };
  const split = (bytes: Uint8Array, cuts: number[]) => {
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (const cut of [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b)) {
      pieces.push(bytes.subarray(start, cut));
      start = cut;
    }
    pieces.push(bytes.subarray(start));
    return pieces;
  };
  const decodeAll = (pieces: Uint8Array[]) => {
    const chunks = new Utf8Chunks();
    return pieces.map((piece) => chunks.decode(piece)).join('') + chunks.decode();
  };

  it('decodes text cut anywhere, characters of 2, 3 and 4 bytes included, as a streaming TextDecoder does', () => {
    const text = 'data: {"prompt":"café ☕ 画像 🦊 ok"}\n\n';
    const bytes = enc(text);
    for (let a = 0; a <= bytes.length; a++) {
      for (const b of [a + 1, a + 2, a + 3]) expect(decodeAll(split(bytes, [a, b]))).toBe(text);
    }
  });

  it('agrees with TextDecoder on any bytes, valid or not, in any pieces', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }).map(enc)),
        fc.array(fc.nat(70), { maxLength: 8 }),
        (bytes, cuts) => {
          const pieces = split(bytes, cuts);
          expect(decodeAll(pieces)).toBe(reference(pieces));
        },
      ),
    );
  });

  it('drops a byte order mark that opens the stream, keeps one later on, and ends a dangling character as U+FFFD', () => {
    const bom = [0xef, 0xbb, 0xbf];
    expect(decodeAll([new Uint8Array([bom[0]!]), new Uint8Array([...bom.slice(1), 0x61, ...bom])])).toBe('a\ufeff');
    expect(decodeAll([new Uint8Array([0x61, 0xe2, 0x82])])).toBe('a\ufffd');
    expect(decodeAll([new Uint8Array([0x61, 0xe2, 0x82])])).toBe(reference([new Uint8Array([0x61, 0xe2, 0x82])]));
  });
});
