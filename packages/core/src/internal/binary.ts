/** Recognises binary image inputs without `instanceof`, which fails across realms (iframes, vm contexts). */

export type BinaryKind = 'uint8array' | 'arraybuffer' | 'blob';

export function binaryKind(value: unknown): BinaryKind | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Uint8Array]') return 'uint8array'; // Node's Buffer too
  if (tag === '[object ArrayBuffer]') return 'arraybuffer';
  const blob = value as Partial<Blob>;
  if (typeof blob.arrayBuffer === 'function' && typeof blob.size === 'number' && typeof blob.type === 'string') return 'blob';
  return undefined;
}
