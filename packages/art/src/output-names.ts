/**
 * The names a build gives an image's files in its output, the same from every adapter: `<slug of the label>-<first
 * 8 hex of the content's SHA-256>.<ext>`, and `<slug>-<width>w-<8 hex>.<ext>` for a responsive variant. A changed
 * image gets a new name, so the files can be cached for ever. The SHA-256 comes from the cache when it holds the
 * file (a lock entry, a variant's content-addressed file name), so a warm build hashes nothing.
 */
import type { ResolvedVariant } from './engine.js';
import type { ResolvedImage } from './generate/generator.js';
import { sha256 } from './internal/hash.js';
import { slug } from './specifier.js';

/** The file extension of a generated image's format. */
export const imageExtension = (format: 'png' | 'jpeg'): 'png' | 'jpg' => (format === 'jpeg' ? 'jpg' : 'png');

/** An output file name from its parts (what the lock file knows is enough: no bytes needed). */
export function outputFileName(label: string, contentSha256: string, extension: string, width?: number): string {
  return `${slug(label)}${width === undefined ? '' : `-${width}w`}-${contentSha256.slice(0, 8)}.${extension}`;
}

/** The output file name of an image. */
export function imageOutputName(label: string, image: Pick<ResolvedImage, 'bytes' | 'facts' | 'entry'>): string {
  return outputFileName(label, image.entry?.sha256 ?? sha256(image.bytes), imageExtension(image.facts.format));
}

/** The output file name of a responsive variant. */
export function variantOutputName(label: string, variant: Pick<ResolvedVariant, 'bytes' | 'width' | 'extension' | 'file'>): string {
  // A cached variant's file name starts with its SHA-256 (cache/store.ts).
  return outputFileName(label, variant.file ?? sha256(variant.bytes), variant.extension, variant.width);
}
