/** The GraphQL input (camelCase, enums) to core's wire params (snake_case), and issue paths back again. */
import type { GenerateParams } from '@seedream-kit/core';

export interface GenerateImagesInput {
  prompt: string;
  model?: string | null;
  images?: string[] | null;
  size?: string | null;
  sequential?: boolean | null;
  maxImages?: number | null;
  seed?: number | null;
  guidanceScale?: number | null;
  watermark?: boolean | null;
  responseFormat?: 'URL' | 'B64_JSON' | null;
  outputFormat?: 'PNG' | 'JPEG' | null;
  optimizePromptMode?: 'STANDARD' | 'FAST' | null;
  webSearch?: boolean | null;
  layerDecomposition?: boolean | null;
  background?: 'TRANSPARENT' | 'OPAQUE' | null;
}

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** Only the fields the caller set are sent (the API's defaults stay the API's). */
export function toGenerateParams(input: GenerateImagesInput, defaultModel: string): GenerateParams {
  const params: GenerateParams = { model: input.model || defaultModel, prompt: input.prompt };
  if (given(input.images)) params.image = input.images.length === 1 ? input.images[0] : [...input.images];
  if (given(input.size)) params.size = input.size;
  if (given(input.sequential)) params.sequential_image_generation = input.sequential ? 'auto' : 'disabled';
  if (given(input.maxImages)) params.sequential_image_generation_options = { max_images: input.maxImages };
  if (given(input.seed)) params.seed = input.seed;
  if (given(input.guidanceScale)) params.guidance_scale = input.guidanceScale;
  if (given(input.watermark)) params.watermark = input.watermark;
  if (given(input.responseFormat)) params.response_format = input.responseFormat === 'B64_JSON' ? 'b64_json' : 'url';
  if (given(input.outputFormat)) params.output_format = input.outputFormat === 'PNG' ? 'png' : 'jpeg';
  if (given(input.optimizePromptMode)) params.optimize_prompt_options = { mode: input.optimizePromptMode === 'FAST' ? 'fast' : 'standard' };
  if (input.webSearch) params.tools = [{ type: 'web_search' }];
  if (given(input.layerDecomposition)) params.layer_decomposition = input.layerDecomposition;
  if (given(input.background)) params.background = input.background === 'TRANSPARENT' ? 'transparent' : 'opaque';
  return params;
}

const PATHS: Array<[RegExp, string]> = [
  [/^image(?=\[|$)/, 'images'],
  [/^sequential_image_generation_options(\.max_images)?/, 'maxImages'],
  [/^sequential_image_generation/, 'sequential'],
  [/^guidance_scale/, 'guidanceScale'],
  [/^response_format/, 'responseFormat'],
  [/^output_format/, 'outputFormat'],
  [/^optimize_prompt_options(\.mode)?/, 'optimizePromptMode'],
  [/^tools(\[\d+\])?(\.type)?/, 'webSearch'],
  [/^layer_decomposition/, 'layerDecomposition'],
  [/^stream/, 'model'],
];

/** Core's issue path (`image[2]`, `sequential_image_generation_options.max_images`) in the input's names. */
export function toInputPath(path: string): string {
  if (!path) return 'input';
  for (const [pattern, name] of PATHS) if (pattern.test(path)) return path.replace(pattern, name);
  return path;
}

/** Upper bound of the images one generation can produce (what the per-operation image limit counts). */
export function plannedImages(params: GenerateParams): number {
  if (params.sequential_image_generation !== 'auto') return 1;
  const references = Array.isArray(params.image) ? params.image.length : params.image === undefined ? 0 : 1;
  return Math.max(1, Math.min(params.sequential_image_generation_options?.max_images ?? 15, 15 - references));
}
