/** The per-picture limits of reference images (docs/api-contract.md §3.2), checked from the image header. */
import type { ModelCapabilities } from '../models.js';
import { imageDimensions } from './dimensions.js';

/** Bytes a header must have before its size can be read, for the formats whose size sits at a fixed offset. */
const HEADER_BYTES: Record<string, number> = { png: 24, gif: 10, bmp: 26, webp: 30 };

/**
 * Problems of one reference image's dimensions; empty when fine or when the header cannot be read (JPEG's size
 * can sit far in, TIFF and HEIC are left to the API). `bytes` is the whole image or, for data URIs, its start.
 */
export function pictureProblems(bytes: Uint8Array, format: string, caps: ModelCapabilities): string[] {
  const size = imageDimensions(bytes, format);
  if (!size) {
    const needed = HEADER_BYTES[format];
    return needed !== undefined && bytes.length < needed ? [`the ${format} data is cut short (${bytes.length} bytes): not a whole image`] : [];
  }
  const { width, height } = size;
  const problems: string[] = [];
  if (width < caps.inputMinSide || height < caps.inputMinSide) {
    problems.push(`the image is ${width}x${height}; each side must be at least ${caps.inputMinSide} px`);
  }
  const ratio = height > 0 ? width / height : Number.POSITIVE_INFINITY;
  const [minRatio, maxRatio] = caps.inputAspectRange;
  if (width > 0 && height > 0 && (ratio < minRatio || ratio > maxRatio)) {
    problems.push(`the image's aspect ratio ${width}:${height} is outside [${formatRatio(minRatio)}, ${formatRatio(maxRatio)}]`);
  }
  if (width * height > caps.inputMaxPixels) {
    problems.push(`the image has ${width * height} pixels; the limit is ${caps.inputMaxPixels}`);
  }
  return problems;
}

const formatRatio = (value: number) => (value < 1 ? `1/${Math.round(1 / value)}` : String(value));
