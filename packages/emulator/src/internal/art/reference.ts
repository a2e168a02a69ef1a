/**
 * Colours of reference images, to steer the placeholder palette. Data URIs are decoded in place; http(s)
 * URLs are fetched only from loopback hosts with a short timeout (the emulator never reaches the internet);
 * anything else is ignored.
 */
import sharp from 'sharp';
import { rgbToHex } from './color.js';

const FETCH_TIMEOUT_MS = 2000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function decodeDataUri(uri: string): { mime: string; bytes: Buffer } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(uri);
  if (!match) return undefined;
  return { mime: match[1] as string, bytes: Buffer.from(match[2] as string, 'base64') };
}

async function loadBytes(reference: string): Promise<Buffer | undefined> {
  if (reference.startsWith('data:')) return decodeDataUri(reference)?.bytes;
  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(url.protocol) || !LOOPBACK.has(url.hostname)) return undefined;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) return undefined;
    return Buffer.from(await response.arrayBuffer());
  } catch {
    return undefined;
  }
}

/** Dominant (most frequent coarse bin) and average colour of one image, as `#rrggbb`. */
export async function imageColors(bytes: Buffer): Promise<string[]> {
  const { data, info } = await sharp(bytes, { limitInputPixels: false })
    .resize(32, 32, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const bins = new Map<number, { count: number; r: number; g: number; b: number }>();
  let [sr, sg, sb] = [0, 0, 0];
  const pixels = info.width * info.height;
  for (let i = 0; i < pixels * 3; i += 3) {
    const [r, g, b] = [data[i] as number, data[i + 1] as number, data[i + 2] as number];
    sr += r;
    sg += g;
    sb += b;
    const key = ((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5);
    const bin = bins.get(key) ?? { count: 0, r: 0, g: 0, b: 0 };
    bin.count++;
    bin.r += r;
    bin.g += g;
    bin.b += b;
    bins.set(key, bin);
  }
  const top = [...bins.values()].sort((a, b) => b.count - a.count)[0];
  const colors = [rgbToHex(sr / pixels, sg / pixels, sb / pixels)];
  if (top) colors.unshift(rgbToHex(top.r / top.count, top.g / top.count, top.b / top.count));
  return [...new Set(colors)];
}

/** Colours of up to four references, in order; references that cannot be read are skipped. */
export async function referenceColors(references: readonly string[]): Promise<string[]> {
  const colors: string[] = [];
  for (const reference of references.slice(0, 4)) {
    const bytes = await loadBytes(reference);
    if (!bytes) continue;
    try {
      colors.push(...(await imageColors(bytes)));
    } catch {
      // not an image sharp can read: no influence
    }
  }
  return colors;
}
