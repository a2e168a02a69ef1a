/**
 * What the module needs to know about an image, computed once when it enters the cache and stored in the
 * lock file, so warm builds never decode an image: size, format, the ThumbHash and its rendered preview.
 */
import { rgbaToThumbHash, thumbHashToDataURL, thumbHashToRGBA } from 'thumbhash';
import type { SeedreamOutputFormat } from '../types.js';

export interface ImageFacts {
  width: number;
  height: number;
  format: SeedreamOutputFormat;
  /** Base64 ThumbHash (about 25 bytes). */
  thumbhash: string;
  /** The ThumbHash rendered as a 32 px WebP data URL (about 300 characters): the blurred preview. */
  placeholder: string;
}

/** ThumbHash encodes from at most 100×100 pixels. */
const THUMB_MAX_SIDE = 100;
/**
 * The preview is thumbhash's own 32 px rendering, stored as lossy WebP: a smooth blur compresses to about
 * 200 bytes, where thumbhash's uncompressed PNG data URL takes 3–6 KB — bytes every page that imports the
 * image pays for, and a warm build spends its time on.
 */
const PREVIEW_QUALITY = 90;

/** Decodes the image (sharp is loaded on first use: warm builds never need it). Throws if undecodable. */
export async function describeImage(bytes: Uint8Array): Promise<ImageFacts> {
  const { default: sharp } = await import('sharp');
  const input = sharp(bytes, { failOn: 'truncated' });
  const meta = await input.metadata();
  const format = meta.format === 'png' ? 'png' : meta.format === 'jpeg' ? 'jpeg' : undefined;
  if (!format || !meta.width || !meta.height) throw new Error(`not a PNG or JPEG image (${meta.format ?? 'unknown format'})`);
  const { data, info } = await input
    .clone()
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const hash = rgbaToThumbHash(info.width, info.height, data);

  const { w, h, rgba } = thumbHashToRGBA(hash);
  const opaque = rgba.every((value, index) => index % 4 !== 3 || value === 255);
  let preview = sharp(Buffer.from(rgba), { raw: { width: w, height: h, channels: 4 } });
  if (opaque) preview = preview.removeAlpha();
  const webp = await preview.webp({ quality: PREVIEW_QUALITY, effort: 6 }).toBuffer();

  return {
    width: meta.width,
    height: meta.height,
    format,
    thumbhash: Buffer.from(hash).toString('base64'),
    placeholder: `data:image/webp;base64,${webp.toString('base64')}`,
  };
}

/** The preview straight from a ThumbHash (thumbhash's PNG rendering): for lock entries that lack one. */
export function placeholderFromThumbhash(thumbhash: string): string {
  return thumbHashToDataURL(new Uint8Array(Buffer.from(thumbhash, 'base64')));
}
