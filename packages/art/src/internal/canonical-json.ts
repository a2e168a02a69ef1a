/**
 * JSON with object keys in sorted order, so that equal values always give equal text: the cache key is a
 * hash of this text, and the lock file is written with it so that rewriting an unchanged manifest is a no-op.
 */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

function sortKeys(_key: string, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(value).sort()) sorted[name] = value[name];
  return sorted;
}

/** Compact canonical form (what is hashed). `undefined` members are left out, as JSON does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys);
}

/** Two-space, sorted, newline-terminated: a stable file format that diffs and merges well. */
export function stableJsonFile(value: unknown): string {
  return `${JSON.stringify(value, sortKeys, 2)}\n`;
}
