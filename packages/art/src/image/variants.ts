/**
 * Responsive variants: the one generated image resized to each width and re-encoded in each format, with
 * sharp, in this process. Deterministic for a given sharp (libvips) version, so every bundler derives the
 * same bytes; content-addressed in the cache like the image itself. Never a second generation.
 */
import type { NewVariant } from '../cache/store.js';
import type { SeedreamVariantFormat } from '../types.js';

/** Encoder settings of each format. Part of what a variant is: change them only with a cache schema bump. */
export const VARIANT_ENCODING = {
  avif: { quality: 50, effort: 2 },
  webp: { quality: 80, effort: 4 },
  jpeg: { quality: 80, mozjpeg: true },
  png: { compressionLevel: 9 },
} as const;

export const VARIANT_MIME: Record<SeedreamVariantFormat, string> = { avif: 'image/avif', webp: 'image/webp', png: 'image/png', jpeg: 'image/jpeg' };

/** The widths actually derived: each clamped to the source width, then deduplicated, ascending. */
export function variantWidths(widths: readonly number[], sourceWidth: number): number[] {
  return [...new Set(widths.map((width) => Math.min(width, sourceWidth)))].sort((a, b) => a - b);
}

/** One variant per (width, format), all encoded concurrently on libuv's thread pool. */
export async function deriveVariants(
  bytes: Uint8Array,
  sourceWidth: number,
  widths: readonly number[],
  formats: readonly SeedreamVariantFormat[],
): Promise<NewVariant[]> {
  const { default: sharp } = await import('sharp');
  const jobs = variantWidths(widths, sourceWidth).flatMap((width) =>
    formats.map(async (format): Promise<NewVariant> => {
      const { data, info } = await sharp(bytes).resize({ width }).toFormat(format, VARIANT_ENCODING[format]).toBuffer({ resolveWithObject: true });
      return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, format };
    }),
  );
  return Promise.all(jobs);
}
