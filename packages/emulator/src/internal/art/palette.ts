/**
 * The colours of one placeholder: derived from a hash of the prompt, or, when reference images were given,
 * from their colours so the result visibly follows them.
 */
import { hexToHsl, hexToRgb, hslToHex, rgbToHex, type Hsl } from './color.js';

/** `a` blended over `b` with weight `t` (clouds are drawn opaque in a pre-mixed tint). */
function mix(a: string, b: string, t: number): string {
  const [ar, ag, ab] = hexToRgb(a) ?? [255, 255, 255];
  const [br, bg, bb] = hexToRgb(b) ?? [255, 255, 255];
  return rgbToHex(ar * t + br * (1 - t), ag * t + bg * (1 - t), ab * t + bb * (1 - t));
}

export interface Palette {
  skyTop: string;
  skyBottom: string;
  sun: string;
  cloud: string;
  /** Back to front. */
  layers: string[];
  ink: string;
}

const LAYERS = 5;

export function paletteFor(random: () => number, referenceColors: readonly string[] | undefined): Palette {
  const references = (referenceColors ?? []).map(hexToHsl).filter((c): c is Hsl => c !== undefined);
  return references.length > 0 ? referencePalette(random, references) : hashedPalette(random);
}

/** A harmonious pastel-to-deep palette around one hue with a complementary sun. */
function hashedPalette(random: () => number): Palette {
  const hue = random() * 360;
  const spread = (8 + random() * 10) * (random() < 0.5 ? -1 : 1); // analogous step between layers
  const saturation = 38 + random() * 22;
  const layers = Array.from({ length: LAYERS }, (_, i) => hslToHex({ h: hue + spread * i, s: saturation + i * 4, l: 76 - i * 10.5 }));
  const skyTop = hslToHex({ h: hue - spread * 3, s: 55, l: 92 });
  return {
    skyTop,
    skyBottom: hslToHex({ h: hue - spread * 1.5, s: 58, l: 82 }),
    sun: hslToHex({ h: hue - spread * 4 + 30, s: 90, l: 86 }),
    cloud: mix('#ffffff', skyTop, 0.6),
    layers,
    ink: hslToHex({ h: hue, s: 35, l: 18 }),
  };
}

/** Layers take the reference colours themselves (darkening towards the front); the sky their lightest tint. */
function referencePalette(random: () => number, references: Hsl[]): Palette {
  const lightest = [...references].sort((a, b) => b.l - a.l)[0] as Hsl;
  const first = references[0] as Hsl;
  const layers = Array.from({ length: LAYERS }, (_, i) => {
    const base = references[i % references.length] as Hsl;
    const jitter = (random() - 0.5) * 6;
    return hslToHex({ h: base.h + jitter, s: base.s, l: Math.min(92, Math.max(8, base.l + 14 - i * 7)) });
  });
  const skyTop = hslToHex({ h: lightest.h, s: Math.min(lightest.s, 70), l: Math.max(lightest.l, 80) + 8 });
  return {
    skyTop,
    skyBottom: hslToHex({ h: lightest.h, s: Math.min(lightest.s, 80), l: Math.max(lightest.l, 70) }),
    sun: hslToHex({ h: first.h, s: Math.min(first.s + 10, 95), l: 88 }),
    cloud: mix('#ffffff', skyTop, 0.6),
    layers,
    ink: hslToHex({ h: first.h, s: 35, l: 16 }),
  };
}
