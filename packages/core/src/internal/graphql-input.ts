// Generated from the parameter table (parameters.ts) by test/parameter-table.test.ts. Do not edit: after a change
// to the table, run `npx vitest run test/parameter-table.test.ts --update` in packages/core.
import type { GraphQLCodec } from './parameters.js';

/**
 * What the browser transport of @seedream-kit/graphql needs to turn wire params into `GenerateImagesInput`:
 * wire name → [input field, codec, nested key], for every browser parameter with an input field, in the input's
 * order (codecs: see `GraphQLCodec`). Compact on purpose, without descriptions or validation rules: it ships in
 * browser bundles.
 */
export const GRAPHQL_INPUT_CODECS: Readonly<Record<string, readonly [field: string, codec: GraphQLCodec, nested?: string]>> = {
  prompt: ['prompt', 'value'],
  model: ['model', 'value'],
  image: ['images', 'list'],
  size: ['size', 'value'],
  sequential_image_generation: ['sequential', 'flag'],
  sequential_image_generation_options: ['maxImages', 'value', 'max_images'],
  seed: ['seed', 'value'],
  guidance_scale: ['guidanceScale', 'value'],
  watermark: ['watermark', 'value'],
  response_format: ['responseFormat', 'enum'],
  output_format: ['outputFormat', 'enum'],
  optimize_prompt_options: ['optimizePromptMode', 'enum', 'mode'],
  tools: ['webSearch', 'webSearch'],
  layer_decomposition: ['layerDecomposition', 'value'],
  background: ['background', 'enum'],
};
