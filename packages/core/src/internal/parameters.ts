/**
 * The request parameters: one entry per wire field, in the GraphQL input's field order. A field is declared in
 * three places, held together by their types and by core's test/parameter-table.test.ts:
 * - its rule (type, enum or range, with the messages validation shows) in `REQUEST_SHAPE` (`shape.ts`): the part
 *   `validateParams` reads, so browser bundles carry the rules and nothing else of this table;
 * - its other facets here, in `PARAMETERS`: whether a browser caller may set it, whether it is required, and its
 *   GraphQL side (input field, how the value maps, enum name), with `rule` read from `REQUEST_SHAPE` (the table's
 *   type requires the same names in both; `image` alone has no rule);
 * - its GraphQL descriptions (field, enum, enum values) in `parameter-docs.ts` (`PARAMETER_DOCS`, one entry per
 *   GraphQL input field, each required by its type), which only the server's GraphQL side reads.
 * Then regenerate the browser transport's compact `GRAPHQL_INPUT_CODECS` (`graphql-input.ts`):
 * `npx vitest run test/parameter-table.test.ts --update` in packages/core.
 *
 * Which models take a field lives in the model table (`models.ts`). Every adapter derives what it forwards from
 * here (docs/api-contract.md §4): the route (`pickBrowserParams`), GraphQL's `GenerateImagesInput` SDL,
 * `toGenerateParams` and `toInputPath` (through `GRAPHQL_INPUT_FIELDS`), and the browser transport's `toInput`
 * (through `GRAPHQL_INPUT_CODECS`). `GenerateParams` (types.ts) is held to it by the test.
 */
import { REQUEST_SHAPE, type RequestShape, type Rule, type RuledParameterName } from './shape.js';
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
   * Its type, enum or range, with the messages validation shows: `REQUEST_SHAPE`'s (declared in `shape.ts`);
   * absent for `image`, which validation checks itself (formats, bytes, count per model).
   */
  rule?: Rule;
  /**
   * Its GraphQL side: an input field, or `'operation'` for a parameter that is the choice of operation instead
   * (`stream`: the `imageGeneration` subscription rather than the `generateImages` mutation), or `null` when
   * GraphQL does not take it.
   */
  graphql: GraphQLInputSpec | 'operation' | null;
}

/**
 * The compile-time check that this table and `REQUEST_SHAPE` name the same parameters: its keys are the ruled
 * parameters plus `image`, and each entry carries exactly `REQUEST_SHAPE`'s rule (`image` none). An entry here
 * without a rule in `shape.ts`, a rule there without an entry here, or another rule fails typecheck.
 */
type ParameterTable = {
  readonly [K in RuledParameterName | UnruledParameterName]: ParameterSpec &
    (K extends RuledParameterName ? { readonly rule: RequestShape[K] } : { readonly rule?: never });
};

/**
 * The parameters without a rule, declared so: `image` alone (validation checks reference images itself: formats,
 * bytes, count per model). A rule for it in `REQUEST_SHAPE` would fail the table's type.
 */
type UnruledParameterName = 'image';

export const PARAMETERS = {
  prompt: { browser: true, required: true, rule: REQUEST_SHAPE.prompt, graphql: { field: 'prompt', codec: 'value' } },
  model: { browser: true, rule: REQUEST_SHAPE.model, graphql: { field: 'model', codec: 'value' } },
  image: { browser: true, graphql: { field: 'images', codec: 'list' } },
  size: { browser: true, rule: REQUEST_SHAPE.size, graphql: { field: 'size', codec: 'value' } },
  sequential_image_generation: {
    browser: true,
    rule: REQUEST_SHAPE.sequential_image_generation,
    graphql: { field: 'sequential', codec: 'flag' },
  },
  sequential_image_generation_options: {
    browser: true,
    rule: REQUEST_SHAPE.sequential_image_generation_options,
    graphql: { field: 'maxImages', codec: 'value', nested: 'max_images' },
  },
  stream: { browser: true, rule: REQUEST_SHAPE.stream, graphql: 'operation' },
  seed: { browser: true, rule: REQUEST_SHAPE.seed, graphql: { field: 'seed', codec: 'value' } },
  guidance_scale: { browser: true, rule: REQUEST_SHAPE.guidance_scale, graphql: { field: 'guidanceScale', codec: 'value' } },
  watermark: { browser: true, rule: REQUEST_SHAPE.watermark, graphql: { field: 'watermark', codec: 'value' } },
  response_format: {
    browser: true,
    rule: REQUEST_SHAPE.response_format,
    graphql: { field: 'responseFormat', codec: 'enum', enum: { name: 'SeedreamResponseFormat' } },
  },
  output_format: {
    browser: true,
    rule: REQUEST_SHAPE.output_format,
    graphql: { field: 'outputFormat', codec: 'enum', enum: { name: 'SeedreamOutputFormat' } },
  },
  optimize_prompt_options: {
    browser: true,
    rule: REQUEST_SHAPE.optimize_prompt_options,
    graphql: { field: 'optimizePromptMode', codec: 'enum', nested: 'mode', enum: { name: 'SeedreamOptimizePromptMode' } },
  },
  tools: { browser: true, rule: REQUEST_SHAPE.tools, graphql: { field: 'webSearch', codec: 'webSearch' } },
  layer_decomposition: { browser: true, rule: REQUEST_SHAPE.layer_decomposition, graphql: { field: 'layerDecomposition', codec: 'value' } },
  background: {
    browser: true,
    rule: REQUEST_SHAPE.background,
    graphql: { field: 'background', codec: 'enum', enum: { name: 'SeedreamBackground' } },
  },
} as const satisfies ParameterTable;

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
