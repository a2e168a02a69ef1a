/**
 * The offline art: the emulator's deterministic placeholder scene, rendered in this process with no server
 * and no network. Used for a miss in offline mode (CI) and, in `vite dev`, as the picture shown while the
 * real one is being generated.
 */
import type { ImageRequest } from './request.js';

/** Square sides of the size presets (the real API picks the aspect from the prompt; offline art cannot). */
const PRESET_SIDES: Record<string, number> = { '1K': 1024, '1.5K': 1536, '2K': 2048, '3K': 3072, '4K': 4096 };

export async function renderOfflineArt(request: ImageRequest): Promise<Uint8Array> {
  const [{ renderPlaceholder }, core] = await Promise.all([import('@seedream-kit/emulator'), import('@seedream-kit/core')]);
  const { canonical } = request;
  const capabilities = core.getModelCapabilities(canonical.model);
  const [width, height] = dimensions(canonical.size ?? capabilities.defaultSize);
  // Like the API: models that do not honour output_format answer JPEG.
  const format = capabilities.outputFormat && canonical.output_format === 'png' ? 'png' : 'jpeg';
  return renderPlaceholder({
    prompt: canonical.prompt,
    width,
    height,
    format,
    ...(canonical.seed === null ? {} : { seed: canonical.seed }),
    // The emulator names models without their date suffix.
    model: canonical.model.replace(/-\d{6}$/, ''),
    watermark: canonical.watermark,
  });
}

/** `"1280x720"` → [1280, 720]; a preset → a square; anything else → 1024². */
export function dimensions(size: string): [number, number] {
  const exact = /^(\d+)x(\d+)$/i.exec(size.trim());
  if (exact) return [Number(exact[1]), Number(exact[2])];
  const side = PRESET_SIDES[size.trim().toUpperCase()] ?? 1024;
  return [side, side];
}
