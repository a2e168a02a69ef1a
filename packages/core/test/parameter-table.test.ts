/**
 * The parameter table (`internal/parameters.ts`, with its rules in `REQUEST_SHAPE`, `internal/shape.ts`, and its
 * GraphQL descriptions in `internal/parameter-docs.ts`) and what core derives from it: `GenerateParams` is held to
 * it at compile time (keys, required keys, value types against the rules), the table's rules are exactly
 * `REQUEST_SHAPE`'s, the GraphQL side resolves (`GRAPHQL_INPUT_FIELDS`), and the browser transport's compact map
 * (`internal/graphql-input.ts`) is generated from it here.
 *
 * After editing the table, regenerate the compact map: `npx vitest run test/parameter-table.test.ts --update` (in
 * packages/core). The adapters (route, GraphQL, Vite, playground) are held to the table by
 * reliability/test/parameter-table.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { GenerateParams } from '../src/types.js';
import { BROWSER_PARAMETERS, PARAMETERS, type ParameterName, type ParameterSpec } from '../src/internal/parameters.js';
import { GRAPHQL_INPUT_FIELDS } from '../src/internal/graphql-fields.js';
import { GRAPHQL_INPUT_CODECS } from '../src/transport.js';
import { REQUEST_SHAPE } from '../src/internal/shape.js';

// ── Compile time: GenerateParams against the table ───────────────────────────────────────────────────────────

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** The keys of a type without its index signature. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type RequiredKeys<T> = { [K in KnownKeys<T>]-?: Record<never, never> extends Pick<T, K> ? never : K }[KnownKeys<T>];

type Table = typeof PARAMETERS;
type TableRequired = { [K in ParameterName]: Table[K] extends { required: true } ? K : never }[ParameterName];

/** Field names of GenerateParams the table lacks, and table names GenerateParams lacks: both must be empty. */
const notInTable: [Exclude<KnownKeys<GenerateParams>, ParameterName>] extends [never]
  ? true
  : { notInTheTable: Exclude<KnownKeys<GenerateParams>, ParameterName> } = true;
const notInType: [Exclude<ParameterName, KnownKeys<GenerateParams>>] extends [never]
  ? true
  : { notInGenerateParams: Exclude<ParameterName, KnownKeys<GenerateParams>> } = true;
const requiredMatch: Equal<RequiredKeys<GenerateParams>, TableRequired> extends true
  ? true
  : { typeRequires: RequiredKeys<GenerateParams>; tableRequires: TableRequired } = true;

/** The values a rule accepts, as a type (object fields optional: absent passes). */
type WireValue<R> = R extends { kind: 'string' }
  ? string
  : R extends { kind: 'integer' | 'number' }
    ? number
    : R extends { kind: 'boolean' }
      ? boolean
      : R extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V
        : R extends { kind: 'object'; fields: infer F }
          ? { -readonly [K in keyof F]?: WireValue<F[K]> }
          : R extends { kind: 'array'; item: infer I }
            ? WireValue<I>[]
            : never;
/** Object fields optional at every depth (the rules do not require any; the type may). */
type Loose<T> = T extends readonly (infer I)[] ? Loose<I>[] : T extends object ? { -readonly [K in keyof T]?: Loose<T[K]> } : T;
/** Parameters whose GenerateParams type differs from what their rule accepts (`image` has no rule). */
type ValueMismatch = {
  [K in ParameterName]: Table[K] extends { rule: infer R }
    ? K extends keyof GenerateParams
      ? Equal<Loose<NonNullable<GenerateParams[K]>>, Loose<WireValue<R>>> extends true
        ? never
        : K
      : K
    : never;
}[ParameterName];
const valuesMatch: [ValueMismatch] extends [never] ? true : { typeDiffersFromRule: ValueMismatch } = true;

describe('GenerateParams', () => {
  it('has exactly the table’s fields, the same required ones, and the types the rules accept (checked by tsc)', () => {
    expect([notInTable, notInType, requiredMatch, valuesMatch]).toEqual([true, true, true, true]);
  });
});

// ── Run time: what core reads from the table ─────────────────────────────────────────────────────────────────

const TABLE: Record<ParameterName, ParameterSpec> = PARAMETERS;
const NAMES = Object.keys(TABLE) as ParameterName[];

describe('the table', () => {
  it('REQUEST_SHAPE is the table’s rules, nothing else', () => {
    expect(Object.keys(REQUEST_SHAPE)).toEqual(NAMES.filter((name) => TABLE[name].rule));
    for (const name of Object.keys(REQUEST_SHAPE)) expect(REQUEST_SHAPE[name]).toBe(TABLE[name as ParameterName].rule);
    expect(BROWSER_PARAMETERS).toEqual(NAMES.filter((name) => TABLE[name].browser));
  });

  it('every browser parameter has a GraphQL input field, or is the choice of operation (`stream` only)', () => {
    expect(NAMES.filter((name) => TABLE[name].graphql === 'operation')).toEqual(['stream']);
    const withField = GRAPHQL_INPUT_FIELDS.map((field) => field.wire);
    expect(withField).toEqual(BROWSER_PARAMETERS.filter((name) => TABLE[name].graphql !== 'operation'));
    const fields = GRAPHQL_INPUT_FIELDS.map((field) => field.field);
    expect(new Set(fields).size, 'input field names are unique').toBe(fields.length);
    const enums = GRAPHQL_INPUT_FIELDS.flatMap((field) => (field.enum ? [field.enum.name] : []));
    expect(new Set(enums).size, 'enum type names are unique').toBe(enums.length);
  });

  it('resolves the GraphQL side: types from codec and rule, enum values from the rule', () => {
    const byWire = Object.fromEntries(GRAPHQL_INPUT_FIELDS.map((field) => [field.wire, field]));
    expect(GRAPHQL_INPUT_FIELDS.map((field) => `${field.field}: ${field.type}`)).toEqual([
      'prompt: String!',
      'model: String',
      'images: [String!]',
      'size: String',
      'sequential: Boolean',
      'maxImages: Int',
      'seed: Int',
      'guidanceScale: Float',
      'watermark: Boolean',
      'responseFormat: SeedreamResponseFormat',
      'outputFormat: SeedreamOutputFormat',
      'optimizePromptMode: SeedreamOptimizePromptMode',
      'webSearch: Boolean',
      'layerDecomposition: Boolean',
      'background: SeedreamBackground',
    ]);
    expect(byWire.optimize_prompt_options!.enum!.values).toEqual([
      { wire: 'standard', name: 'STANDARD', description: 'Higher quality rewriting.' },
      { wire: 'fast', name: 'FAST', description: 'Quicker rewriting (only on the models that list it).' },
    ]);
    expect(byWire.background!.enum!.values.map((value) => value.name)).toEqual(['TRANSPARENT', 'OPAQUE']);
  });
});

// ── The browser transport's compact map, generated ───────────────────────────────────────────────────────────

/** The source of `src/internal/graphql-input.ts`, from the table. */
function renderCodecs(): string {
  const quote = (text: string) => `'${text}'`;
  const entries = GRAPHQL_INPUT_FIELDS.map(
    ({ wire, field, codec, nested }) => `  ${wire}: [${[field, codec, ...(nested ? [nested] : [])].map(quote).join(', ')}],`,
  );
  return `// Generated from the parameter table (parameters.ts) by test/parameter-table.test.ts. Do not edit: after a change
// to the table, run \`npx vitest run test/parameter-table.test.ts --update\` in packages/core.
import type { GraphQLCodec } from './parameters.js';

/**
 * What the browser transport of @seedream-kit/graphql needs to turn wire params into \`GenerateImagesInput\`:
 * wire name → [input field, codec, nested key], for every browser parameter with an input field, in the input's
 * order (codecs: see \`GraphQLCodec\`). Compact on purpose, without descriptions or validation rules: it ships in
 * browser bundles.
 */
export const GRAPHQL_INPUT_CODECS: Readonly<Record<string, readonly [field: string, codec: GraphQLCodec, nested?: string]>> = {
${entries.join('\n')}
};
`;
}

describe('GRAPHQL_INPUT_CODECS (@seedream-kit/core/transport)', () => {
  it('is generated from the table', async () => {
    await expect(renderCodecs()).toMatchFileSnapshot('../src/internal/graphql-input.ts');
  });

  it('matches the table entry by entry', () => {
    const expected = Object.fromEntries(GRAPHQL_INPUT_FIELDS.map(({ wire, field, codec, nested }) => [wire, nested ? [field, codec, nested] : [field, codec]]));
    expect(GRAPHQL_INPUT_CODECS).toEqual(expected);
    expect(Object.keys(GRAPHQL_INPUT_CODECS)).toEqual(Object.keys(expected));
  });
});
