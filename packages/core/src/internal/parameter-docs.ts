/**
 * The GraphQL descriptions of the parameter table (`parameters.ts`): for each GraphQL input field, its
 * description, and for an enum field the enum type's description and some of its values'. Read only by the
 * server's GraphQL side (`graphql-fields.ts`, through `GRAPHQL_INPUT_FIELDS`), and declared apart like the rules
 * (`REQUEST_SHAPE`, shape.ts): a field's rule is in `shape.ts`, its other facets (input name, codec, enum name) in
 * `PARAMETERS`, and its prose here.
 *
 * The type below requires an entry for every GraphQL input field of the table, an `enum` entry exactly for the
 * `enum` codec, value descriptions only for values of the rule, and no entry for anything else.
 */
import type { PARAMETERS } from './parameters.js';

type Table = typeof PARAMETERS;

/** The wire names that are a GraphQL input field (browser parameters with a `graphql` input spec). */
export type GraphQLParameterName = {
  [K in keyof Table]: Table[K] extends { browser: true; graphql: { field: string } } ? K : never;
}[keyof Table];

/** The rule whose values the enum maps: the parameter's, or its `nested` key's. */
type EnumRule<K extends keyof Table> = Table[K] extends { graphql: { nested: infer N extends string }; rule: { fields: infer F } }
  ? N extends keyof F
    ? F[N]
    : never
  : Table[K] extends { rule: infer R }
    ? R
    : never;
type EnumValueOf<K extends keyof Table> = EnumRule<K> extends { values: readonly (infer V extends string)[] } ? V : never;

export interface GraphQLEnumDoc<V extends string = string> {
  /** The enum type's description. */
  description: string;
  /** Descriptions of some values, by wire value (the values themselves are the rule's). */
  values?: Partial<Record<V, string>>;
}

export interface ParameterDoc<V extends string = string> {
  /** The input field's description. */
  description: string;
  /** For the `enum` codec: the enum type's description and its values'. */
  enum?: GraphQLEnumDoc<V>;
}

/** One entry per GraphQL input field; `enum` required for the `enum` codec and refused otherwise. */
export type ParameterDocs = {
  [K in GraphQLParameterName]: Table[K] extends { graphql: { codec: 'enum' } }
    ? { description: string; enum: GraphQLEnumDoc<EnumValueOf<K>> }
    : { description: string; enum?: never };
};

export const PARAMETER_DOCS = {
  prompt: { description: 'What to draw. Required and not blank.' },
  model: { description: "Model id in any spelling (Volcengine, BytePlus, CometAPI). Defaults to the server's model." },
  image: {
    description:
      "Reference images: http(s) URLs or `data:image/<fmt>;base64,` URIs, or upload handles (`upload:…`) from the server's upload endpoint; up to the model's `maxReferenceImages` and the server's policy.",
  },
  size: { description: 'A preset of the model (`2K`, `4K`, …) or an exact size `<W>x<H>`.' },
  sequential_image_generation: {
    description: 'Group generation (`sequential_image_generation: auto`): the model decides how many images the prompt asks for.',
  },
  sequential_image_generation_options: {
    description: "Most images of a group (1–15, capped by the server's per-operation image limit).",
  },
  seed: { description: 'Seed for reproducible output (documented for Seedream 3.0 and SeedEdit).' },
  guidance_scale: { description: 'How closely to follow the prompt, 1–10 (documented for Seedream 3.0 and SeedEdit).' },
  watermark: { description: "Stamp the 'AI generated' mark. The API's default is true." },
  response_format: {
    description: 'URL (default) or B64_JSON.',
    enum: {
      description: 'How generated images are returned.',
      values: {
        url: 'A signed link to the image, valid for 24 hours. Keep it byte-exact (do not re-escape it).',
        b64_json: 'The image bytes as base64 in `b64Json` (megabytes per image: ask for it only when you need it).',
      },
    },
  },
  output_format: {
    description: 'PNG or JPEG, on models that honour it (see `SeedreamModel.outputFormats`).',
    enum: { description: 'Encoding of generated images. Models whose `outputFormats` list is empty always return JPEG.' },
  },
  optimize_prompt_options: {
    description: 'Prompt rewriting mode.',
    enum: {
      description: 'Prompt rewriting mode (`optimize_prompt_options.mode`).',
      values: { standard: 'Higher quality rewriting.', fast: 'Quicker rewriting (only on the models that list it).' },
    },
  },
  tools: { description: 'Let the model search the web for current facts (Seedream 5.0 Lite).' },
  layer_decomposition: { description: 'Split one reference image into layers (Seedream 5.0 Pro and Flash).' },
  background: {
    description: 'Background of the output (Seedream 5.0 Pro and Flash).',
    enum: { description: 'Background of layer and cut-out output (Seedream 5.0 Pro and Flash).' },
  },
} as const satisfies ParameterDocs;
