/**
 * The deterministic stand-ins for what the real model decides from the prompt: the aspect ratio of a preset
 * size and the number of images in a sequence. Both are documented in the README.
 */
import type { Ratio } from './models.js';

const EXPLICIT_RATIO = /(?<![\d.])(1:1|4:3|3:4|16:9|9:16|3:2|2:3|21:9|9:21)(?![\d.])/;

/** Words checked in this order; the first one found in the prompt wins. */
const RATIO_WORDS: ReadonlyArray<[RegExp, Ratio]> = [
  [/\b(panorama|panoramic|ultra-?wide|cinematic)\b/i, '21:9'],
  [/\b(widescreen|wide)\b/i, '16:9'],
  [/\b(vertical|tall|phone wallpaper|story format)\b/i, '9:16'],
  [/\bportrait\b|竖/i, '2:3'],
  [/\blandscape\b|横/i, '3:2'],
  [/\bsquare\b/i, '1:1'],
];

/** The aspect ratio a preset size takes for this prompt: an explicit `W:H`, else a ratio word, else 1:1. */
export function ratioFromPrompt(prompt: string): Ratio {
  const explicit = EXPLICIT_RATIO.exec(prompt);
  if (explicit) return explicit[1] as Ratio;
  for (const [pattern, ratio] of RATIO_WORDS) if (pattern.test(prompt)) return ratio;
  return '1:1';
}

const IMAGE_WORDS = 'images?|pictures?|photos?|frames?|panels?|variations?|张|幅';
const COUNT_AFTER = new RegExp(`(?<!\\d)(\\d{1,2})\\s*(?:${IMAGE_WORDS})(?![a-z])`, 'gi');
const COUNT_BEFORE = /\b(?:series|set)\s+of\s+(\d{1,2})(?!\d)/gi;

/**
 * How many images the prompt asks for: the first number 1–15 followed by an image word (images, pictures,
 * photos, frames, panels, variations, 张, 幅 …) or preceded by "series of" / "set of"; 1 if none.
 */
export function countFromPrompt(prompt: string): number {
  const candidates: Array<{ at: number; count: number }> = [];
  for (const pattern of [COUNT_AFTER, COUNT_BEFORE]) {
    for (const match of prompt.matchAll(pattern)) {
      const count = Number(match[1]);
      if (count >= 1 && count <= 15) candidates.push({ at: match.index ?? 0, count });
    }
  }
  candidates.sort((a, b) => a.at - b.at);
  return candidates[0]?.count ?? 1;
}

/** Sequential rule: the prompt's count, capped by `max_images` (default 15) and by 15 − reference images. */
export function sequentialCount(prompt: string, maxImages: number | undefined, referenceCount: number): number {
  return Math.max(1, Math.min(countFromPrompt(prompt), maxImages ?? 15, 15 - referenceCount));
}
