/** The import scheme lives in @seedream-kit/art (one parser for every adapter); re-exported for callers of this path. */
export { IMAGE_NAME, normalizeInline, PREFIX, parseSpecifier, RESOLVED_PREFIX, slug } from '@seedream-kit/art';
export type { Specifier } from '@seedream-kit/art';
