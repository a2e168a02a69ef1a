/** Image type detection from magic bytes, so binary references become data URIs with the right MIME type. */
import type { ImageFormat } from '../models.js';

export interface SniffedImage {
  /** `avif` is recognised only to say it is unsupported. */
  format: ImageFormat | 'avif';
  mime: string;
}

const ascii = (bytes: Uint8Array, offset: number, text: string): boolean => {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
};

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'heif']);

/** ISO-BMFF `ftyp` box: the major brand and compatible brands tell HEIC, HEIF and AVIF apart. */
function sniffFtyp(bytes: Uint8Array): SniffedImage | undefined {
  if (!ascii(bytes, 4, 'ftyp') || bytes.length < 12) return undefined;
  const boxSize = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 12);
  const brands: string[] = [];
  for (let offset = 8; offset + 4 <= end; offset += offset === 8 ? 8 : 4) {
    brands.push(String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!));
  }
  if (brands.some((brand) => brand === 'avif' || brand === 'avis')) return { format: 'avif', mime: 'image/avif' };
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return { format: 'heic', mime: 'image/heic' };
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return { format: 'heif', mime: 'image/heif' };
  return undefined;
}

/** The image type of `bytes` from its signature, or undefined when it is not an image format we know. */
export function sniffImageType(input: Uint8Array | ArrayBuffer): SniffedImage | undefined {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 'PNG\r\n\x1a\n')) return { format: 'png', mime: 'image/png' };
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { format: 'jpeg', mime: 'image/jpeg' };
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return { format: 'gif', mime: 'image/gif' };
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return { format: 'webp', mime: 'image/webp' };
  if (ascii(bytes, 0, 'II*\0') || ascii(bytes, 0, 'MM\0*') || ascii(bytes, 0, 'II+\0') || ascii(bytes, 0, 'MM\0+')) {
    return { format: 'tiff', mime: 'image/tiff' };
  }
  if (ascii(bytes, 0, 'BM') && bytes.length >= 18) {
    // "BM" alone is too weak; the DIB header that follows has one of a few fixed sizes.
    const dibSize = bytes[14]! | (bytes[15]! << 8) | (bytes[16]! << 16) | (bytes[17]! << 24);
    if ([12, 16, 40, 52, 56, 64, 108, 124].includes(dibSize)) return { format: 'bmp', mime: 'image/bmp' };
  }
  return sniffFtyp(bytes);
}

/**
 * The browser's small subset: the MIME type of the common formats from their first bytes, else undefined (the
 * caller keeps the File's declared type). Servers sniff every upload and data URI again with `sniffImageType`,
 * so this only has to be right, not complete; it keeps ~0.5 KB of format rules out of browser bundles.
 */
export function sniffCommonImageMime(bytes: Uint8Array): string | undefined {
  const head = String.fromCharCode(...bytes.subarray(0, 12));
  if (head.startsWith('\x89PNG')) return 'image/png';
  if (head.startsWith('\xff\xd8\xff')) return 'image/jpeg';
  if (head.startsWith('GIF8')) return 'image/gif';
  if (head.startsWith('RIFF') && head.endsWith('WEBP')) return 'image/webp';
  if (/^(II\*\0|MM\0\*)/.test(head)) return 'image/tiff';
  if (head.startsWith('BM')) return 'image/bmp';
  return undefined;
}
