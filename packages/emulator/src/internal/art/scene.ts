/**
 * The placeholder scene as SVG: a sky gradient (rows uniform, so PNG compresses it cheaply), a sun, a few
 * soft clouds, layered flat-colour hills, the prompt as a caption and the optional "AI generated" mark.
 * Kept to a handful of plain shapes so librsvg renders even 4096×4096 quickly.
 */
import type { Palette } from './palette.js';

export interface SceneInput {
  width: number;
  height: number;
  caption: string;
  watermark: boolean;
  palette: Palette;
  random: () => number;
}

const FONT = 'DejaVu Sans, Noto Sans, Helvetica, Arial, sans-serif';

const round = (n: number) => Math.round(n * 10) / 10;

/** Escapes for XML text and drops characters XML 1.0 forbids (librsvg would refuse the document). */
export function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the control characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string)
  );
}

/** A hill line across the full width, closed along the bottom edge. */
function hill({ width, height, baseY, amplitude }: { width: number; height: number; baseY: number; amplitude: number }, random: () => number): string {
  const segments = 3 + Math.floor(random() * 3);
  const step = width / segments;
  const points = Array.from({ length: segments + 1 }, (_, i) => [i * step, baseY + (random() * 2 - 1) * amplitude] as const);
  let d = `M0 ${height} L0 ${round(points[0]![1])}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    d += ` C${round(x0 + step / 2)} ${round(y0)} ${round(x1 - step / 2)} ${round(y1)} ${round(x1)} ${round(y1)}`;
  }
  return `${d} L${width} ${height} Z`;
}

/** A cloud: a row of overlapping circles on a flat base. */
function cloud({ cx, cy, size, fill }: { cx: number; cy: number; size: number; fill: string }, random: () => number): string {
  const puffs = 3 + Math.floor(random() * 3);
  let shapes = '';
  for (let i = 0; i < puffs; i++) {
    const t = puffs === 1 ? 0.5 : i / (puffs - 1);
    const r = size * (0.28 + 0.22 * Math.sin(Math.PI * t)) * (0.85 + random() * 0.3);
    shapes += `<circle cx="${round(cx - size * 0.6 + t * size * 1.2)}" cy="${round(cy - r * 0.4)}" r="${round(r)}"/>`;
  }
  shapes += `<rect x="${round(cx - size * 0.75)}" y="${round(cy - size * 0.12)}" width="${round(size * 1.5)}" height="${round(size * 0.24)}" rx="${round(size * 0.12)}"/>`;
  // Opaque on purpose: group opacity makes librsvg composite a full-canvas layer, which is slow at 4K.
  return `<g fill="${fill}">${shapes}</g>`;
}

/** Truncates to what fits in `maxWidth` at `fontSize` (average glyph ≈ 0.56 em). */
function fitText(text: string, fontSize: number, maxWidth: number): string {
  const maxChars = Math.max(4, Math.floor(maxWidth / (fontSize * 0.56)));
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= maxChars ? clean : `${clean.slice(0, maxChars - 1).trimEnd()}…`;
}

export function buildScene({ width, height, caption, watermark, palette, random }: SceneInput): string {
  const short = Math.min(width, height);
  const parts: string[] = [];
  parts.push(
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${palette.skyTop}"/><stop offset="1" stop-color="${palette.skyBottom}"/></linearGradient></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#sky)"/>`,
  );

  const sunR = short * (0.1 + random() * 0.08);
  const sunX = width * (0.15 + random() * 0.7);
  const sunY = height * (0.18 + random() * 0.2);
  parts.push(
    `<circle cx="${round(sunX)}" cy="${round(sunY)}" r="${round(sunR * 1.45)}" fill="${palette.sun}" fill-opacity="0.35"/>`,
    `<circle cx="${round(sunX)}" cy="${round(sunY)}" r="${round(sunR)}" fill="${palette.sun}"/>`,
  );

  const clouds = 2 + Math.floor(random() * 2);
  for (let i = 0; i < clouds; i++) {
    // Property order is draw order from `random`: keep it (the art is reproducible from the seed).
    const at = { cx: width * (0.1 + random() * 0.8), cy: height * (0.1 + random() * 0.3), size: short * (0.12 + random() * 0.1), fill: palette.cloud };
    parts.push(cloud(at, random));
  }

  palette.layers.forEach((fill, i) => {
    const baseY = height * (0.42 + i * 0.11 + (random() - 0.5) * 0.04);
    const amplitude = height * (0.03 + random() * 0.05);
    parts.push(`<path d="${hill({ width, height, baseY, amplitude }, random)}" fill="${fill}"/>`);
  });

  if (caption) {
    const fontSize = Math.max(10, Math.round(short * 0.034));
    const margin = short * 0.04;
    const text = fitText(caption, fontSize, width - margin * 2 - fontSize * 1.6);
    const pillWidth = Math.min(width - margin * 2, text.length * fontSize * 0.56 + fontSize * 1.6);
    const pillHeight = fontSize * 1.9;
    parts.push(
      `<rect x="${round(margin)}" y="${round(margin)}" width="${round(pillWidth)}" height="${round(pillHeight)}" rx="${round(pillHeight / 2)}" fill="#ffffff" fill-opacity="0.72"/>`,
      `<text x="${round(margin + fontSize * 0.8)}" y="${round(margin + pillHeight / 2 + fontSize * 0.36)}" font-family="${FONT}" font-size="${fontSize}" fill="${palette.ink}">${escapeXml(text)}</text>`,
    );
  }

  if (watermark) {
    const fontSize = Math.max(10, Math.round(short * 0.03));
    const margin = short * 0.03;
    parts.push(
      `<text x="${round(width - margin)}" y="${round(height - margin)}" text-anchor="end" font-family="${FONT}" font-weight="bold" font-size="${fontSize}" fill="#ffffff" fill-opacity="0.92" stroke="#000000" stroke-opacity="0.35" stroke-width="${round(fontSize * 0.08)}" paint-order="stroke">AI generated</text>`,
    );
  }

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}
