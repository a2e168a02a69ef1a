/**
 * Turns reference images into what the wire takes: strings pass through byte-exact; bytes become
 * `data:image/<fmt>;base64,…` with the type sniffed from the bytes. One image is sent as a string, several as
 * an array (what the official SDKs do).
 */
import { SeedreamValidationError } from '../errors.js';
import type { ModelCapabilities } from '../models.js';
import type { ImageInput, ValidationIssue } from '../types.js';
import { encodeBase64 } from './base64.js';
import { binaryKind } from './binary.js';
import { pictureProblems } from './picture-rules.js';
import { sniffImageType } from './sniff.js';

async function toBytes(input: Exclude<ImageInput, string>): Promise<Uint8Array> {
  const kind = binaryKind(input);
  if (kind === 'uint8array') return input as Uint8Array;
  if (kind === 'arraybuffer') return new Uint8Array(input as ArrayBuffer);
  return new Uint8Array(await (input as Blob).arrayBuffer());
}

/** Data URI for image bytes, or a validation issue when the bytes are not an accepted image. */
export function bytesToDataUri(bytes: Uint8Array, path: string, caps: ModelCapabilities): string | ValidationIssue {
  const sniffed = sniffImageType(bytes);
  if (!sniffed) {
    return { path, message: `not a recognised image; allowed formats: ${caps.inputFormats.join(', ')}`, severity: 'error' };
  }
  if (!(caps.inputFormats as readonly string[]).includes(sniffed.format)) {
    return { path, message: `${sniffed.format} images are not accepted (allowed: ${caps.inputFormats.join(', ')})`, severity: 'error' };
  }
  const problems = pictureProblems(bytes, sniffed.format, caps);
  if (problems.length > 0) return { path, message: problems.join('; '), severity: 'error' };
  return `data:${sniffed.mime};base64,${encodeBase64(bytes)}`;
}

/** Wire form of `image`; throws SeedreamValidationError when a Blob's bytes turn out not to be an image. */
export async function prepareReferenceImages(image: ImageInput | ImageInput[], caps: ModelCapabilities): Promise<string | string[]> {
  const list = Array.isArray(image) ? image : [image];
  if (!list.some((item) => binaryKind(item))) return image as string | string[];
  const issues: ValidationIssue[] = [];
  const prepared = await Promise.all(
    list.map(async (item, index) => {
      // Anything that is not bytes goes as given (validation, when on, has already refused it).
      if (typeof item === 'string' || !binaryKind(item)) return item as string;
      const converted = bytesToDataUri(await toBytes(item), Array.isArray(image) ? `image[${index}]` : 'image', caps);
      if (typeof converted === 'string') return converted;
      issues.push(converted);
      return '';
    }),
  );
  if (issues.length > 0) throw new SeedreamValidationError(issues);
  return Array.isArray(image) ? prepared : (prepared[0] as string);
}
