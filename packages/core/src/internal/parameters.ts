/**
 * The request parameters, declared once: wire name, whether a browser caller may set it, and its name in the
 * GraphQL input. Types, enums and ranges live beside it in `shape.ts`; which models take a field lives in the
 * model table (`models.ts`). Every adapter derives what it forwards from here (docs/api-contract.md §4).
 */
import { REQUEST_SHAPE } from './shape.js';
import { isPlainObject } from './plain-object.js';

export interface ParameterSpec {
  /** A browser caller (through the route or GraphQL) may set it; otherwise only server code may. */
  browser: boolean;
  /** Its name in the GraphQL input (`GenerateImagesInput`). */
  graphql: string;
}

export const PARAMETERS = {
  model: { browser: true, graphql: 'model' },
  prompt: { browser: true, graphql: 'prompt' },
  image: { browser: true, graphql: 'images' },
  size: { browser: true, graphql: 'size' },
  seed: { browser: true, graphql: 'seed' },
  sequential_image_generation: { browser: true, graphql: 'sequential' },
  sequential_image_generation_options: { browser: true, graphql: 'maxImages' },
  stream: { browser: true, graphql: 'stream' },
  guidance_scale: { browser: true, graphql: 'guidanceScale' },
  response_format: { browser: true, graphql: 'responseFormat' },
  watermark: { browser: true, graphql: 'watermark' },
  output_format: { browser: true, graphql: 'outputFormat' },
  optimize_prompt_options: { browser: true, graphql: 'optimizePromptMode' },
  tools: { browser: true, graphql: 'webSearch' },
  layer_decomposition: { browser: true, graphql: 'layerDecomposition' },
  background: { browser: true, graphql: 'background' },
} as const satisfies Record<string, ParameterSpec>;

export type ParameterName = keyof typeof PARAMETERS;

/** The wire names a browser caller may set. */
export const BROWSER_PARAMETERS: readonly ParameterName[] = (Object.keys(PARAMETERS) as ParameterName[]).filter((name) => PARAMETERS[name].browser);

type ShapeRule = (typeof REQUEST_SHAPE)[string];

/** Keeps only what the shape declares inside objects and arrays of objects; a wrong type is kept for validation to name. */
function pruneValue(value: unknown, rule: ShapeRule | undefined): unknown {
  if (!rule) return value;
  if (rule.kind === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(rule.fields)) {
      if (Object.prototype.hasOwnProperty.call(value, key) && value[key] !== undefined) out[key] = pruneValue(value[key], rule.fields[key]);
    }
    return out;
  }
  if (rule.kind === 'array' && Array.isArray(value)) return value.map((item) => pruneValue(item, rule.item));
  return value;
}

/**
 * A browser caller's request body reduced to the parameters it may set, unknown keys dropped at every depth
 * (nothing unknown is ever forwarded to the paid API).
 */
export function pickBrowserParams(body: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const name of BROWSER_PARAMETERS) {
    if (!Object.prototype.hasOwnProperty.call(body, name)) continue;
    const value = body[name];
    if (value !== undefined) params[name] = pruneValue(value, REQUEST_SHAPE[name]);
  }
  return params;
}
