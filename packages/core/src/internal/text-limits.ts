/**
 * Length checks that are safe on hostile input: they never materialise an array of characters, and they stop
 * as soon as the answer is known, so a 100-million-character string costs no more than a short one.
 */

/** True when `text` has more than `limit` Unicode code points. */
export function exceedsCodePoints(text: string, limit: number): boolean {
  if (text.length <= limit) return false; // a code point is at least one UTF-16 unit
  if (text.length > limit * 2) return true; // …and at most two
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) i++;
    if (++count > limit) return true;
  }
  return false;
}

/** Code points in `text`, counted up to `limit + 1` (enough to say "over the limit"). */
export function countCodePointsUpTo(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  let count = 0;
  for (let i = 0; i < text.length && count <= limit; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) i++;
    count++;
  }
  return count;
}
