/**
 * The GraphQL input (camelCase, enums) to core's wire params (snake_case), and issue paths back again. Both
 * directions, and the input's TypeScript type, follow core's parameter table (`PARAMETERS`, resolved as
 * `GRAPHQL_INPUT_FIELDS`): each field is mapped by its codec, none by hand.
 */
import type { GenerateParams } from '@seedream-kit/core';
import { GRAPHQL_INPUT_FIELDS, PARAMETERS, type GraphQLInputField, type ParameterSpec } from '@seedream-kit/core/server';

// ── The input's type, from the table ─────────────────────────────────────────────────────────────────────────

type Table = typeof PARAMETERS;
/** Wire names with an input field (browser parameters whose `graphql` names one), required or not. */
type InputWire = { [K in keyof Table]: Table[K] extends { browser: true; graphql: { field: string } } ? K : never }[keyof Table];
type RequiredWire = { [K in InputWire]: Table[K] extends { required: true } ? K : never }[InputWire];
type FieldName<K extends InputWire> = Table[K] extends { graphql: { field: infer F extends string } } ? F : never;
/** The rule the codec maps: the nested key's with `nested`. */
type ValueRule<E> = E extends { graphql: { nested: infer N extends string }; rule: { fields: infer F } }
  ? F[N & keyof F]
  : E extends { rule: infer R }
    ? R
    : never;
type Scalar<R> = R extends { kind: 'string' } ? string : R extends { kind: 'integer' | 'number' } ? number : R extends { kind: 'boolean' } ? boolean : never;
type EnumValue<R> = R extends { kind: 'enum'; values: readonly (infer V extends string)[] } ? Uppercase<V> : never;
type InputValue<E> = E extends { graphql: { codec: infer C } }
  ? C extends 'list'
    ? string[]
    : C extends 'flag' | 'webSearch'
      ? boolean
      : C extends 'enum'
        ? EnumValue<ValueRule<E>>
        : Scalar<ValueRule<E>>
  : never;
type RequiredInput = { [K in RequiredWire as FieldName<K>]: InputValue<Table[K]> };
type OptionalInput = { [K in Exclude<InputWire, RequiredWire> as FieldName<K>]?: InputValue<Table[K]> | null };

/** `GenerateImagesInput` as resolvers receive it (coerced: enums as their UPPER_CASE names, null for an explicit null). */
export interface GenerateImagesInput extends RequiredInput, OptionalInput {}

// ── Input → wire ─────────────────────────────────────────────────────────────────────────────────────────────

/** GraphQL enum value → wire value, per enum type. */
const FROM_ENUM = new Map(
  GRAPHQL_INPUT_FIELDS.flatMap((spec) => (spec.enum ? [[spec.field, new Map(spec.enum.values.map((value) => [value.name, value.wire]))] as const] : [])),
);

/** One input value as the wire wants it; undefined when it sends nothing (`webSearch: false`). */
function fromInput(spec: GraphQLInputField, value: unknown): unknown {
  switch (spec.codec) {
    case 'value':
      return value;
    case 'enum':
      return FROM_ENUM.get(spec.field)!.get(value as string) ?? value;
    case 'flag':
      return value ? 'auto' : 'disabled';
    case 'webSearch':
      return value ? [{ type: 'web_search' }] : undefined;
    case 'list': {
      const items = value as unknown[];
      return items.length === 1 ? items[0] : [...items];
    }
  }
}

/** Only the fields the caller set are sent (the API's defaults stay the API's); `model` falls back to the server's. */
export function toGenerateParams(input: GenerateImagesInput, defaultModel: string): GenerateParams {
  const params: Record<string, unknown> = { model: input.model || defaultModel };
  for (const spec of GRAPHQL_INPUT_FIELDS) {
    if (spec.wire === 'model') continue;
    const value = (input as unknown as Record<string, unknown>)[spec.field];
    if (value === null || value === undefined) continue;
    const wire = fromInput(spec, value);
    if (wire !== undefined) params[spec.wire] = spec.nested === undefined ? wire : { [spec.nested]: wire };
  }
  return params as GenerateParams;
}

// ── Wire paths → input paths ─────────────────────────────────────────────────────────────────────────────────

const BY_WIRE = new Map<string, GraphQLInputField>(GRAPHQL_INPUT_FIELDS.map((spec) => [spec.wire, spec]));
/** Parameters that are the choice of operation rather than an input field (`stream`). */
const OPERATION = new Set(Object.entries(PARAMETERS as Record<string, ParameterSpec>).flatMap(([wire, spec]) => (spec.graphql === 'operation' ? [wire] : [])));

/**
 * Core's issue path (`image[2]`, `sequential_image_generation_options.max_images`) in the input's names
 * (`images[2]`, `maxImages`): a list keeps its index, any other field is named as a whole. A parameter without
 * an input field (`stream`, the choice of operation) is the input's as a whole; a path outside the table stays.
 */
export function toInputPath(path: string): string {
  if (!path) return 'input';
  const head = /^[^.[]*/.exec(path)![0];
  const spec = BY_WIRE.get(head);
  if (spec) return spec.codec === 'list' ? spec.field + path.slice(head.length) : spec.field;
  return OPERATION.has(head) ? 'input' : path;
}

/** Upper bound of the images one generation can produce (what the per-operation image limit counts). */
export function plannedImages(params: GenerateParams): number {
  if (params.sequential_image_generation !== 'auto') return 1;
  const references = Array.isArray(params.image) ? params.image.length : params.image === undefined ? 0 : 1;
  return Math.max(1, Math.min(params.sequential_image_generation_options?.max_images ?? 15, 15 - references));
}
