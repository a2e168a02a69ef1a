/**
 * The request parameters, declared once. Each entry is one wire field: whether a browser caller may set it, its
 * type, enum or range (`rule`, the data validation checks: `REQUEST_SHAPE` in `shape.ts` is read from here), and
 * its GraphQL side (input field, how the value maps, enum name). Which models take a field lives in the
 * model table (`models.ts`). Every adapter derives what it forwards from here (docs/api-contract.md §4):
 * the route (`pickBrowserParams`), GraphQL's `GenerateImagesInput` SDL, `toGenerateParams` and `toInputPath`
 * (through `GRAPHQL_INPUT_FIELDS`), and the browser transport's `toInput` (through the compact
 * `GRAPHQL_INPUT_CODECS`, generated from this table). `GenerateParams` (types.ts) is held to it by a test.
 *
 * The order is the GraphQL input's field order.
 *
 * The GraphQL descriptions (field, enum, enum value) are not here but in `parameter-docs.ts` (`PARAMETER_DOCS`,
 * one entry per GraphQL input field, each required by its type), which only the server's GraphQL side reads:
 * this table is in the module graph of `validateParams`, and browser bundles should not carry the schema's prose.
 */
import type { Rule } from './shape.js';
import { isPlainObject } from './plain-object.js';

/**
 * How a wire value maps to its GraphQL input field (a closed set; `graphql-fields.ts` and the browser transport
 * implement each):
 * - `value`: as is (the GraphQL type follows the rule: String, Int, Float, Boolean);
 * - `enum`: a wire string ↔ the UPPER_CASE value of a GraphQL enum whose values are the rule's;
 * - `flag`: `Boolean` ↔ `'auto'` (true) | `'disabled'` (false);
 * - `list`: `[String!]` ↔ one item or several (one item is sent as itself);
 * - `webSearch`: `Boolean` ↔ `tools: [{ type: 'web_search' }]` (false or absent: no tools).
 * With `nested`, the codec applies to that key of a wire object (`maxImages` ↔ `{ max_images }`).
 */
export type GraphQLCodec = 'value' | 'enum' | 'flag' | 'list' | 'webSearch';

export interface GraphQLEnumSpec {
  /** The enum type's name in the schema (its description and its values' are in `PARAMETER_DOCS`). */
  name: string;
}

export interface GraphQLInputSpec {
  /** Its name in the GraphQL input (`GenerateImagesInput`); its description is in `PARAMETER_DOCS`. */
  field: string;
  codec: GraphQLCodec;
  /** The codec applies to this key of the wire object. */
  nested?: string;
  /** The GraphQL enum, for the `enum` codec. */
  enum?: GraphQLEnumSpec;
}

export interface ParameterSpec {
  /** A browser caller (through the route or GraphQL) may set it; otherwise only server code may. */
  browser: boolean;
  /** Every request carries it (`prompt`). */
  required?: true;
  /**
   * Its type, enum or range, with the messages validation shows; absent for `image`, which validation checks
   * itself (formats, bytes, count per model).
   */
  rule?: Rule;
  /**
   * Its GraphQL side: an input field, or `'operation'` for a parameter that is the choice of operation instead
   * (`stream`: the `imageGeneration` subscription rather than the `generateImages` mutation), or `null` when
   * GraphQL does not take it.
   */
  graphql: GraphQLInputSpec | 'operation' | null;
}

const SEED_MAX = 2_147_483_647;
const boolean = (field: string) => ({ kind: 'boolean', message: `\`${field}\` must be a boolean` }) as const;
const oneOf = <const V extends readonly string[]>(field: string, values: V) =>
  ({ kind: 'enum', values, message: `\`${field}\` must be one of: ${values.join(', ')}` }) as const;

export const PARAMETERS = {
  prompt: {
    browser: true,
    required: true,
    rule: { kind: 'string', message: '`prompt` must be a string' },
    graphql: { field: 'prompt', codec: 'value' },
  },
  model: {
    browser: true,
    rule: { kind: 'string', message: '`model` must be a string', nonEmpty: '`model` must not be empty' },
    graphql: { field: 'model', codec: 'value' },
  },
  image: {
    browser: true,
    graphql: { field: 'images', codec: 'list' },
  },
  size: {
    browser: true,
    rule: { kind: 'string', message: '`size` must be a string such as "2K" or "2048x2048"' },
    graphql: { field: 'size', codec: 'value' },
  },
  sequential_image_generation: {
    browser: true,
    rule: oneOf('sequential_image_generation', ['auto', 'disabled']),
    graphql: { field: 'sequential', codec: 'flag' },
  },
  sequential_image_generation_options: {
    browser: true,
    rule: {
      kind: 'object',
      message: '`sequential_image_generation_options` must be an object like { max_images: 4 }',
      fields: {
        max_images: {
          kind: 'integer',
          min: 1,
          max: 15,
          type: '`max_images` must be a number',
          integer: '`max_images` must be an integer',
          range: '`max_images` must be in [1, 15]',
        },
      },
    },
    graphql: { field: 'maxImages', codec: 'value', nested: 'max_images' },
  },
  stream: { browser: true, rule: boolean('stream'), graphql: 'operation' },
  seed: {
    browser: true,
    rule: {
      kind: 'integer',
      min: -1,
      max: SEED_MAX,
      type: '`seed` must be a number',
      integer: '`seed` must be an integer',
      range: `\`seed\` must be in [-1, ${SEED_MAX}] (-1 = random)`,
    },
    graphql: { field: 'seed', codec: 'value' },
  },
  guidance_scale: {
    browser: true,
    rule: { kind: 'number', min: 1, max: 10, type: '`guidance_scale` must be a number', range: '`guidance_scale` must be in [1, 10]' },
    graphql: { field: 'guidanceScale', codec: 'value' },
  },
  watermark: {
    browser: true,
    rule: boolean('watermark'),
    graphql: { field: 'watermark', codec: 'value' },
  },
  response_format: {
    browser: true,
    rule: oneOf('response_format', ['url', 'b64_json']),
    graphql: { field: 'responseFormat', codec: 'enum', enum: { name: 'SeedreamResponseFormat' } },
  },
  output_format: {
    browser: true,
    rule: oneOf('output_format', ['png', 'jpeg']),
    graphql: { field: 'outputFormat', codec: 'enum', enum: { name: 'SeedreamOutputFormat' } },
  },
  optimize_prompt_options: {
    browser: true,
    rule: {
      kind: 'object',
      message: '`optimize_prompt_options` must be an object like { mode: "standard" }',
      fields: { mode: oneOf('mode', ['standard', 'fast']) },
    },
    graphql: { field: 'optimizePromptMode', codec: 'enum', nested: 'mode', enum: { name: 'SeedreamOptimizePromptMode' } },
  },
  tools: {
    browser: true,
    rule: {
      kind: 'array',
      message: '`tools` must be an array like [{ type: "web_search" }]',
      item: {
        kind: 'object',
        message: 'each tool must be an object like { type: "web_search" }',
        fields: { type: { kind: 'enum', values: ['web_search'], message: 'the only tool is { type: "web_search" }' } },
      },
    },
    graphql: { field: 'webSearch', codec: 'webSearch' },
  },
  layer_decomposition: {
    browser: true,
    rule: boolean('layer_decomposition'),
    graphql: { field: 'layerDecomposition', codec: 'value' },
  },
  background: {
    browser: true,
    rule: oneOf('background', ['transparent', 'opaque']),
    graphql: { field: 'background', codec: 'enum', enum: { name: 'SeedreamBackground' } },
  },
} as const satisfies Record<string, ParameterSpec>;

export type ParameterName = keyof typeof PARAMETERS;

/** The table, seen through its declared type (optional members readable on every entry). */
const TABLE: Record<ParameterName, ParameterSpec> = PARAMETERS;

/** The wire names a browser caller may set. */
export const BROWSER_PARAMETERS: readonly ParameterName[] = /* @__PURE__ */ (Object.keys(TABLE) as ParameterName[]).filter((name) => TABLE[name].browser);

/** Keeps only what the rule declares inside objects and arrays of objects; a wrong type is kept for validation to name. */
function pruneValue(value: unknown, rule: Rule | undefined): unknown {
  if (!rule) return value;
  if (rule.kind === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(rule.fields)) {
      if (Object.hasOwn(value, key) && value[key] !== undefined) out[key] = pruneValue(value[key], rule.fields[key]);
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
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    if (value !== undefined) params[name] = pruneValue(value, TABLE[name].rule);
  }
  return params;
}
