/** Renders the placeholder scene with sharp (SVG in, PNG/JPEG out), behind a byte-bounded LRU. */
import sharp from 'sharp';
import type { PlaceholderInput } from '../../types.js';
import { ByteLru } from '../lru.js';
import { createRandom, hashSeed } from '../prng.js';
import { paletteFor } from './palette.js';
import { buildScene } from './scene.js';

/** Largest side librsvg and the emulator accept (the API's widest size is 16:1 at 16.7 MP). */
const MAX_SIDE = 16384;
const MAX_PIXELS = 36_000_000;

function normalise(input: PlaceholderInput): Required<PlaceholderInput> {
  const width = Math.round(input.width);
  const height = Math.round(input.height);
  if (!(width >= 1 && height >= 1 && width <= MAX_SIDE && height <= MAX_SIDE && width * height <= MAX_PIXELS)) {
    throw new RangeError(`renderPlaceholder: unsupported size ${input.width}x${input.height}`);
  }
  return {
    prompt: String(input.prompt ?? ''),
    width,
    height,
    format: input.format === 'jpeg' ? 'jpeg' : 'png',
    seed: Number.isFinite(input.seed) ? Number(input.seed) : -1,
    index: Number.isFinite(input.index) ? Number(input.index) : 0,
    model: input.model ?? '',
    watermark: input.watermark === true,
    referenceColors: [...(input.referenceColors ?? [])],
  };
}

/** The SVG for an input (exported for tests and for callers that rasterise themselves). */
export function placeholderSvg(input: PlaceholderInput): string {
  const full = normalise(input);
  const random = createRandom(hashSeed('art', full.prompt, full.seed, full.index, full.model));
  const caption = full.index > 0 ? `${full.prompt} · ${full.index + 1}` : full.prompt;
  return buildScene({
    width: full.width,
    height: full.height,
    caption,
    watermark: full.watermark,
    palette: paletteFor(random, full.referenceColors),
    random,
  });
}

/** Rasterises without the cache. */
export async function renderUncached(input: PlaceholderInput): Promise<Uint8Array> {
  const full = normalise(input);
  const image = sharp(Buffer.from(placeholderSvg(full)), { limitInputPixels: false }).removeAlpha();
  const buffer = full.format === 'jpeg' ? await image.jpeg({ quality: 85 }).toBuffer() : await image.png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export class ArtRenderer {
  private readonly cache: ByteLru<Promise<Uint8Array>>;

  constructor(maxBytes: number) {
    this.cache = new ByteLru(maxBytes);
  }

  /** Same input, same bytes; concurrent identical renders share one promise. */
  render(input: PlaceholderInput): Promise<Uint8Array> {
    const key = JSON.stringify(normalise(input));
    const cached = this.cache.get(key);
    if (cached) return cached;
    const pending = renderUncached(input);
    // Reserve a rough size now; fix it once the bytes are known (or forget a failure).
    this.cache.set(key, pending, input.width * input.height);
    pending.then(
      (bytes) => {
        if (this.cache.get(key) === pending) this.cache.set(key, pending, bytes.byteLength);
      },
      () => this.cache.delete(key),
    );
    return pending;
  }
}

const defaultRenderer = new ArtRenderer(64 * 1024 * 1024);

/**
 * Renders the emulator's placeholder art: deterministic in (prompt, seed, index, size, model, format,
 * watermark, referenceColors), exactly `width`×`height`. Cached in process.
 */
export async function renderPlaceholder(input: PlaceholderInput): Promise<Uint8Array> {
  return defaultRenderer.render(input);
}
