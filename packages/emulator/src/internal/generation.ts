/**
 * Produces the images of one request slot by slot, as the provider does in group mode: wait the per-image
 * latency, then either fail the slot (injected) or render, store and describe the image.
 */
import { MESSAGES } from './errors.js';
import type { ImageFailure } from './faults.js';
import type { ImageStore } from './image-store.js';
import { sleep } from './latency.js';
import type { ArtRenderer } from './art/render.js';
import type { UrlSigner } from './signed-url.js';
import type { GenerationRequest } from './validate.js';

export type Slot =
  | { index: number; ok: true; width: number; height: number; url?: string; b64?: string; bytes: Uint8Array }
  | { index: number; ok: false; error: { code: string; message: string }; stopsGeneration: boolean };

export interface GenerationDeps {
  art: ArtRenderer;
  store: ImageStore;
  signer: UrlSigner;
  /** `http://host:port` the result URLs point at. */
  origin: string;
  urlLifetimeMs: number;
}

export interface GenerationPlan {
  request: GenerationRequest;
  referenceColors: string[];
  failImages: ReadonlyMap<number, ImageFailure>;
  nextLatency: () => number;
  signal: AbortSignal;
}

const FAILURES: Record<ImageFailure, { code: string; message: string }> = {
  sensitive: { code: 'OutputImageSensitiveContentDetected', message: MESSAGES.sensitiveOutput },
  internal: { code: 'InternalServiceError', message: `${MESSAGES.internal}.` },
};

export async function* generateSlots(plan: GenerationPlan, deps: GenerationDeps): AsyncGenerator<Slot> {
  const { request } = plan;
  for (let index = 0; index < request.count; index++) {
    await sleep(plan.nextLatency(), plan.signal);
    const failure = plan.failImages.get(index);
    if (failure) {
      yield { index, ok: false, error: FAILURES[failure], stopsGeneration: failure === 'internal' };
      if (failure === 'internal') return;
      continue;
    }
    const bytes = await deps.art.render({
      prompt: request.prompt,
      seed: request.seed,
      index,
      width: request.width,
      height: request.height,
      model: request.model.urlName,
      format: request.outputFormat,
      watermark: request.watermark,
      referenceColors: plan.referenceColors,
    });
    plan.signal.throwIfAborted();
    const slot: Slot = { index, ok: true, width: request.width, height: request.height, bytes };
    if (request.responseFormat === 'b64_json') {
      slot.b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    } else {
      const path = deps.signer.newPath(request.model.urlName, index, request.outputFormat);
      const lifetimeSeconds = Math.max(1, Math.ceil(deps.urlLifetimeMs / 1000));
      deps.store.put(path, {
        bytes,
        contentType: request.outputFormat === 'png' ? 'image/png' : 'image/jpeg',
        expiresAt: Date.now() + deps.urlLifetimeMs,
      });
      slot.url = `${deps.origin}${path}?${deps.signer.sign(path, lifetimeSeconds)}`;
    }
    yield slot;
  }
}

/** The JSON item of one slot in `data[]`. */
export function dataItem(slot: Slot, request: GenerationRequest): Record<string, unknown> {
  if (!slot.ok) return { error: slot.error };
  const item: Record<string, unknown> = slot.url !== undefined ? { url: slot.url } : { b64_json: slot.b64 };
  item.size = `${slot.width}x${slot.height}`;
  if (request.model.reportsInputImages) item.output_format = request.outputFormat;
  return item;
}

export function usageFor(slots: readonly Slot[], request: GenerationRequest): Record<string, unknown> {
  const succeeded = slots.filter((slot): slot is Extract<Slot, { ok: true }> => slot.ok);
  const tokens = Math.floor(succeeded.reduce((sum, slot) => sum + slot.width * slot.height, 0) / 256);
  const usage: Record<string, unknown> = { generated_images: succeeded.length, output_tokens: tokens, total_tokens: tokens };
  if (request.model.reportsInputImages) usage.input_images = request.images.length;
  if (request.webSearch) usage.tool_usage = { web_search: webSearches(request.prompt) };
  return usage;
}

/** Deterministic stand-in for the model's choice to search: prompts about recent things search once. */
export function webSearches(prompt: string): number {
  return /\b(today|latest|news|current|this week|recent|weather|now)\b|今天|最新|新闻/i.test(prompt) ? 1 : 0;
}
