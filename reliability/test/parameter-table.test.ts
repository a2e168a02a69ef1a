/**
 * "Adding a field means editing the table and its tests, nothing else." Core declares every request parameter
 * once (`PARAMETERS`: wire name → `{ browser, rule, graphql }`; `REQUEST_SHAPE` is its rules, `graphql` its input
 * field, description and codec, or `'operation'` for `stream`). GraphQL's input type, `toGenerateParams`,
 * `toInputPath` and the transport's `toInput` are derived from it (core's test/parameter-table.test.ts holds
 * `GenerateParams` and the compact browser map to it). This file enumerates the table and holds every adapter to
 * it, so a field added to the table fails loudly wherever it is not wired:
 *
 * - the route (`createSeedreamRoute`, on loopback against the emulator) forwards exactly the browser parameters,
 *   unknown keys dropped at every depth; so does GraphQL through its browser transport (`toInput` → the
 *   subscription → `toGenerateParams`);
 * - `GenerateImagesInput` has a field named `PARAMETERS[name].graphql.field` for every browser parameter but
 *   `stream` (`graphql: 'operation'`: the subscription-vs-mutation choice), and no field without a table entry;
 * - `toGenerateParams`, the transport's `toInput` and `toInputPath` map between the two names, every value
 *   `REQUEST_SHAPE` allows surviving the round trip through a coerced GraphQL input;
 * - the Vite plugin's inline specifier (`seedream:?prompt=…`) accepts only table fields (its own list is a
 *   deliberate subset: the parameters that change the pixels), typed as the shape wants them;
 * - the playground's form only produces table fields, nested keys included.
 *
 * Sample values come from `REQUEST_SHAPE` (enum → first value, boolean → true, integer / number → in range,
 * object → its fields, array → one item); `EXPLICIT_SAMPLES` holds only what the shape cannot give. A field the
 * shape cannot sample and that has no explicit sample fails the first test, with its name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSchema,
  coerceInputValue,
  isEnumType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputObjectType,
  type GraphQLInputType,
} from 'graphql';
import { startEmulator, type Emulator, type LogEntry } from '@seedream-kit/emulator';
import { BROWSER_PARAMETERS, PARAMETERS, type ParameterName, type ParameterSpec } from '@seedream-kit/core/server';
import { getModelCapabilities, type ValidationIssue } from '@seedream-kit/core';
import { toGenerateParams, toInputPath, typeDefs, type GenerateImagesInput } from '@seedream-kit/graphql';
import { createGraphQLTransport, toInput } from '@seedream-kit/graphql/transport';
import type { SeedreamImageSpec } from '@seedream-kit/vite';
// Not public API: the shape rules, the Vite plugin's specifier parser and the playground's form, from source.
import { REQUEST_SHAPE, checkShape } from '../../packages/core/src/internal/shape.ts';
import { parseSpecifier } from '../../packages/vite/src/specifier.ts';
import { initialFormState, toParams, type FormState } from '../../apps/playground/src/form/form-state.ts';
import { MODELS_QUERY, normaliseModel, type ModelInfo } from '../../apps/playground/src/api/models.ts';
import { startGraphQLServer, startRouteServer, type Served } from '../fixtures/channels.mjs';

type Rule = (typeof REQUEST_SHAPE)[string];
const WIRE_NAMES = Object.keys(PARAMETERS) as ParameterName[];
const hasOwn = (object: object, key: string) => Object.hasOwn(object, key);
/** A parameter's GraphQL input field, if it has one (`stream` is the choice of operation instead). */
function inputFieldOf(name: ParameterName): string | undefined {
  const graphql: ParameterSpec['graphql'] = PARAMETERS[name].graphql;
  return graphql && graphql !== 'operation' ? graphql.field : undefined;
}

// ── Samples ──────────────────────────────────────────────────────────────────────────────────────────────────

/** A valid value of a rule, when the rule alone determines one (strings need a sample of their own). */
function sampleOf(rule: Rule): unknown {
  switch (rule.kind) {
    case 'enum':
      return rule.values[0];
    case 'boolean':
      return true;
    case 'integer':
      return Math.min(rule.max, Math.max(rule.min, 2));
    case 'number':
      return (rule.min + rule.max) / 2;
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(rule.fields)) {
        const value = sampleOf(inner);
        if (value === undefined) return undefined;
        out[key] = value;
      }
      return out;
    }
    case 'array': {
      const item = sampleOf(rule.item);
      return item === undefined ? undefined : [item];
    }
    case 'string':
      return undefined;
  }
}

/** Every valid value a rule's edges give: each enum value, both booleans, both ends of a range, per object field. */
function variantsOf(rule: Rule): unknown[] {
  switch (rule.kind) {
    case 'enum':
      return [...rule.values];
    case 'boolean':
      return [true, false];
    case 'integer':
    case 'number':
      return [rule.min, rule.max];
    case 'object': {
      const base = sampleOf(rule) as Record<string, unknown> | undefined;
      if (!base) return [];
      return Object.entries(rule.fields).flatMap(([key, inner]) => variantsOf(inner).map((value) => ({ ...base, [key]: value })));
    }
    case 'array':
      return variantsOf(rule.item).map((item) => [item]);
    case 'string':
      return [];
  }
}

/** Client deadlines for the forwarding checks. */
const RELAXED = { timeout: 60_000, streamIdleTimeout: 30_000 };

const MODEL_LITE = 'doubao-seedream-5-0-260128'; // web search, groups, streaming
const MODEL_FLASH = 'doubao-seedream-5-0-flash-260915'; // layer decomposition, background, streaming
const REFERENCE_URL = 'https://example.com/reference.png';

/** Only what REQUEST_SHAPE cannot give: free strings (and `image`, which the shape leaves to validation). */
const EXPLICIT_SAMPLES: Partial<Record<ParameterName, unknown>> = {
  model: MODEL_LITE,
  prompt: 'a red kite over a green hill',
  image: REFERENCE_URL,
  size: '2K',
};

function sampleFor(name: ParameterName): unknown {
  if (hasOwn(EXPLICIT_SAMPLES, name)) return EXPLICIT_SAMPLES[name];
  const rule = REQUEST_SHAPE[name];
  return rule ? sampleOf(rule) : undefined;
}

/**
 * No model takes every field, so the forwarding check is split per model: each request sets every browser
 * parameter except the few its model refuses. A new field is sent in every request (and so must be accepted by
 * both models, or be listed under the one that refuses it).
 */
const FORWARDING_REQUESTS: Array<{ name: string; model: string; without: ParameterName[] }> = [
  { name: 'Seedream 5.0 Lite', model: MODEL_LITE, without: ['layer_decomposition', 'background'] },
  { name: 'Seedream 5.0 Flash', model: MODEL_FLASH, without: ['tools', 'sequential_image_generation', 'sequential_image_generation_options'] },
];

/** The browser parameters of one planned request, with sample values. */
function plannedParams(plan: (typeof FORWARDING_REQUESTS)[number], prompt: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const name of BROWSER_PARAMETERS) if (!plan.without.includes(name)) params[name] = structuredClone(sampleFor(name));
  params.model = plan.model;
  params.prompt = prompt;
  return params;
}

/** The same value with an unknown key in every object, at every depth. */
function withUnknownKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withUnknownKeys);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = { unknown_nested: 'never forwarded' };
    for (const [key, inner] of Object.entries(value)) out[key] = withUnknownKeys(inner);
    return out;
  }
  return value;
}

/** Top-level keys no table has: a client's guesses, other providers' fields, a planted key. */
const UNKNOWN_TOP_LEVEL = {
  n: 3,
  api_key: 'sk-planted-by-the-browser',
  callback_url: 'https://attacker.example/cb',
  extra_body: { anything: true },
  user: 'u-1',
};

/** Dotted paths of every key of a JSON value (array items as `[]`). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${prefix ? '.' : ''}${key}`, ...keyPaths(inner, `${prefix}${prefix ? '.' : ''}${key}`)]);
}

/** Paths of `params` that neither the table (top level) nor the shape (inside objects and arrays) declares. */
function undeclaredPaths(params: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (value: unknown, rule: Rule | undefined, path: string) => {
    if (!rule) return;
    if (rule.kind === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (!hasOwn(rule.fields, key)) out.push(`${path}.${key}`);
        else walk(inner, rule.fields[key], `${path}.${key}`);
      }
    }
    if (rule.kind === 'array' && Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, rule.item, `${path}[${index}]`);
    }
  };
  for (const [key, value] of Object.entries(params)) {
    if (!hasOwn(PARAMETERS, key)) out.push(key);
    else walk(value, REQUEST_SHAPE[key], key);
  }
  return out;
}

// ── The table itself ─────────────────────────────────────────────────────────────────────────────────────────

describe('the table', () => {
  it('every parameter has a shape rule (or is `image`, which validation checks) and a sample value', () => {
    const missingRule = WIRE_NAMES.filter((name) => !hasOwn(REQUEST_SHAPE, name) && name !== 'image');
    expect(missingRule, 'parameters without a REQUEST_SHAPE rule').toEqual([]);
    const missingSample = WIRE_NAMES.filter((name) => sampleFor(name) === undefined);
    expect(missingSample, 'parameters whose sample neither REQUEST_SHAPE nor EXPLICIT_SAMPLES gives').toEqual([]);
    const strayShape = Object.keys(REQUEST_SHAPE).filter((name) => !hasOwn(PARAMETERS, name));
    expect(strayShape, 'REQUEST_SHAPE rules without a table entry').toEqual([]);
  });

  it('samples pass the shape, GraphQL names are unique, and the forwarding plan covers every browser parameter', () => {
    const sample = Object.fromEntries(WIRE_NAMES.map((name) => [name, sampleFor(name)]));
    const issues: ValidationIssue[] = [];
    checkShape(sample, issues);
    expect(issues).toEqual([]);
    const graphqlNames = WIRE_NAMES.flatMap((name) => inputFieldOf(name) ?? []);
    expect(new Set(graphqlNames).size).toBe(graphqlNames.length);
    const sentSomewhere = BROWSER_PARAMETERS.filter((name) => FORWARDING_REQUESTS.some((plan) => !plan.without.includes(name)));
    expect(sentSomewhere).toEqual(BROWSER_PARAMETERS);
    for (const plan of FORWARDING_REQUESTS) expect(getModelCapabilities(plan.model).known, plan.model).toBe(true);
  });
});

// ── The route and GraphQL, end to end ────────────────────────────────────────────────────────────────────────

describe('forwarding: the emulator receives exactly the browser parameters', () => {
  let emu: Emulator;
  let route: Served;
  let graphql: Served;
  let calls = 0;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, host: '127.0.0.1' });
    // 2K art rendered on a shared, busy machine: the fault matrix's tight deadlines are not what this suite tests.
    route = await startRouteServer(emu, { client: RELAXED });
    graphql = await startGraphQLServer(emu, { client: RELAXED });
  });
  afterAll(async () => {
    await route?.close();
    await graphql?.close();
    await emu?.close();
  });

  const generationOf = (tag: string): Promise<LogEntry> =>
    emu.log.waitFor((entry) => entry.kind === 'generation' && entry.headers['x-reliability-call'] === tag && entry.endedAt !== undefined, 9_000);

  for (const plan of FORWARDING_REQUESTS) {
    it(`route, ${plan.name}: every browser parameter is forwarded as sent; unknown keys at every depth are not`, async () => {
      const tag = `parameter-table-${++calls}`;
      const params = plannedParams(plan, `a red kite over a green hill (${tag})`);
      const body = JSON.stringify({ ...(withUnknownKeys(params) as object), ...UNKNOWN_TOP_LEVEL });
      // `__proto__` as an own JSON key, as a hostile client can send it.
      const hostile = `${body.slice(0, -1)},"__proto__":{"polluted":true}}`;
      const response = await fetch(route.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-reliability-call': tag }, body: hostile });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      // stream: true (the shape's sample) makes it the SSE answer; it must have finished with `done`.
      expect(text).toMatch(/event: done/);
      const entry = await generationOf(tag);
      expect(entry.status).toBe(200);
      expect(keyPaths(entry.body).sort()).toEqual(keyPaths(params).sort());
      expect(entry.body).toEqual(params);
    });

    it(`GraphQL (browser transport → subscription), ${plan.name}: the same parameters arrive`, async () => {
      const tag = `parameter-table-${++calls}`;
      const params = plannedParams(plan, `a red kite over a green hill (${tag})`);
      const transport = createGraphQLTransport({ url: graphql.url, headers: { 'x-reliability-call': tag } });
      const images: unknown[] = [];
      await transport.generate(
        { ...(withUnknownKeys(params) as Record<string, unknown>), ...UNKNOWN_TOP_LEVEL, prompt: params.prompt as string },
        {
          signal: new AbortController().signal,
          onEvent: (event) => images.push(event.image),
        },
      );
      expect(images.length).toBeGreaterThan(0);
      const entry = await generationOf(tag);
      expect(entry.status).toBe(200);
      expect(keyPaths(entry.body).sort()).toEqual(keyPaths(params).sort());
      expect(entry.body).toEqual(params);
    });
  }

  it('route: a server-only (browser: false) parameter is never forwarded', async () => {
    // None today; the day one is added, the route must drop it like an unknown key.
    const serverOnly = WIRE_NAMES.filter((name) => !PARAMETERS[name].browser);
    if (serverOnly.length === 0) return;
    const tag = `parameter-table-${++calls}`;
    const params = plannedParams(FORWARDING_REQUESTS[0]!, `server-only (${tag})`);
    const sent = { ...params, ...Object.fromEntries(serverOnly.map((name) => [name, sampleFor(name)])) };
    const response = await fetch(route.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-reliability-call': tag },
      body: JSON.stringify(sent),
    });
    await response.text();
    const entry = await generationOf(tag);
    for (const name of serverOnly) expect(entry.body).not.toHaveProperty(name);
  });
});

// ── GraphQL: the input type and the two mappings ─────────────────────────────────────────────────────────────

describe('GraphQL: GenerateImagesInput, toGenerateParams, toInput, toInputPath', () => {
  const schema = buildSchema(typeDefs);
  const inputType = schema.getType('GenerateImagesInput') as GraphQLInputObjectType;
  const inputFields = inputType.getFields();
  const wireOf = new Map(WIRE_NAMES.flatMap((name) => (inputFieldOf(name) ? [[inputFieldOf(name)!, name] as const] : [])));
  /** The browser parameters the input carries: all but `stream`, which picks the subscription over the mutation. */
  const INPUT_PARAMETERS = BROWSER_PARAMETERS.filter((name) => PARAMETERS[name].graphql !== 'operation');

  it('has a field named PARAMETERS[name].graphql.field for every browser parameter but `stream`, and no other field', () => {
    expect(BROWSER_PARAMETERS.filter((name) => !INPUT_PARAMETERS.includes(name))).toEqual(['stream']);
    const expected = INPUT_PARAMETERS.map((name) => inputFieldOf(name)).sort();
    expect(Object.keys(inputFields).sort()).toEqual(expected);
    const serverOnly = WIRE_NAMES.filter((name) => !PARAMETERS[name].browser).flatMap((name) => inputFieldOf(name) ?? []);
    for (const name of serverOnly) expect(inputFields, `server-only ${name}`).not.toHaveProperty(name);
  });

  it('`stream` is no input field but the choice of operation: the mutation and the subscription take the same input', () => {
    expect(PARAMETERS.stream.graphql).toBe('operation');
    expect(inputFields).not.toHaveProperty('stream');
    const mutation = schema.getMutationType()!.getFields().generateImages!;
    const subscription = schema.getSubscriptionType()!.getFields().imageGeneration!;
    for (const field of [mutation, subscription]) {
      // The input, and the caller's idempotency key (a property of the call, like `stream`, not of the request).
      expect(field.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual(['input: GenerateImagesInput!', 'idempotencyKey: String']);
    }
  });

  /** A valid GraphQL value of an input field: the wire sample for strings, else the type's first value. */
  function graphqlSample(type: GraphQLInputType, wire: ParameterName): unknown {
    if (isNonNullType(type)) return graphqlSample(type.ofType, wire);
    if (isListType(type)) return [graphqlSample(type.ofType, wire)];
    if (isEnumType(type)) return type.getValues()[0]!.value;
    if (isScalarType(type)) {
      if (type.name === 'Boolean') return true;
      const number = sampleFor(wire);
      if (type.name === 'Int') return typeof number === 'number' && Number.isInteger(number) ? number : 2;
      if (type.name === 'Float') return typeof number === 'number' ? number : 2.5;
      const sample = sampleFor(wire);
      return Array.isArray(sample) ? sample[0] : sample;
    }
    throw new Error(`no sample for ${String(type)}`);
  }

  it('toGenerateParams maps each input field to its wire name alone, with a value the shape accepts', () => {
    for (const [field, { type }] of Object.entries(inputFields)) {
      const wire = wireOf.get(field);
      expect(wire, `input field ${field} has a table entry`).toBeDefined();
      const value = graphqlSample(type, wire!);
      const input = { prompt: 'p', [field]: value } as unknown as GenerateImagesInput;
      const params = toGenerateParams(input, 'the-default-model') as unknown as Record<string, unknown>;
      const always = new Set(['model', 'prompt']);
      expect(
        Object.keys(params).filter((key) => !always.has(key) || key === wire),
        field,
      ).toEqual([wire]);
      const issues: ValidationIssue[] = [];
      checkShape(params, issues);
      expect(issues, field).toEqual([]);
      expect(undeclaredPaths(params), field).toEqual([]);
    }
    // model falls back to the server's; prompt always goes.
    expect(toGenerateParams({ prompt: 'p' }, 'the-default-model')).toEqual({ model: 'the-default-model', prompt: 'p' });
  });

  it('toInput maps each wire name to its GraphQL name alone (and drops `stream`)', async () => {
    for (const wire of BROWSER_PARAMETERS) {
      if (wire === 'prompt') continue;
      const input = await toInput({ prompt: 'p', [wire]: sampleFor(wire) });
      const field = inputFieldOf(wire);
      const expected = field === undefined ? ['prompt'] : ['prompt', field].sort();
      expect(Object.keys(input).sort(), wire).toEqual(expected);
    }
    expect(await toInput({ prompt: 'p', ...UNKNOWN_TOP_LEVEL })).toEqual({ prompt: 'p' });
  });

  it('every value the shape allows survives wire → toInput → (coerced GraphQL input) → toGenerateParams', async () => {
    let checked = 0;
    for (const wire of INPUT_PARAMETERS) {
      const rule = REQUEST_SHAPE[wire];
      const values = [sampleFor(wire), ...(rule ? variantsOf(rule) : []), ...(wire === 'image' ? [[REFERENCE_URL, `${REFERENCE_URL}?2`]] : [])];
      for (const value of values) {
        const wireParams = { model: 'm', prompt: 'p', [wire]: value };
        const input = await toInput(wireParams);
        const errors: string[] = [];
        const coerced = coerceInputValue(input, inputType, (path, _invalid, error) => errors.push(`${path.join('.')}: ${error.message}`));
        expect(errors, `${wire} = ${JSON.stringify(value)}`).toEqual([]);
        expect(toGenerateParams(coerced as GenerateImagesInput, 'default'), `${wire} = ${JSON.stringify(value)}`).toEqual(wireParams);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(INPUT_PARAMETERS.length);
  });

  it('toInputPath names every wire path (nested ones too) by its GraphQL field', () => {
    const paths = (rule: Rule | undefined, path: string): string[] => {
      if (!rule) return [path];
      if (rule.kind === 'object') return [path, ...Object.entries(rule.fields).flatMap(([key, inner]) => paths(inner, `${path}.${key}`))];
      if (rule.kind === 'array') return [path, ...paths(rule.item, `${path}[0]`)];
      return [path];
    };
    for (const wire of INPUT_PARAMETERS) {
      const graphqlName = inputFieldOf(wire)!;
      const all = [...paths(REQUEST_SHAPE[wire], wire), ...(wire === 'image' ? ['image[2]'] : [])];
      for (const path of all) {
        const named = toInputPath(path);
        expect(named === graphqlName || named.startsWith(`${graphqlName}[`), `${path} → ${named}`).toBe(true);
      }
    }
  });
});

// ── The Vite plugin's inline specifier ───────────────────────────────────────────────────────────────────────

/** The plugin's own fields (alt text, responsive widths and formats), not request parameters. */
type VitePluginField = 'alt' | 'widths' | 'formats';
const VITE_PLUGIN_FIELDS = ['alt', 'widths', 'formats'];
/** Inline spellings of the plugin's responsive fields: `w=640;1280`, `format=avif;webp`. */
const VITE_INLINE_NAMES: Record<string, string> = { w: 'widths', format: 'formats' };
/** Compile-time: a spec has no field that is neither a table parameter nor the plugin's own. */
type ViteExtra = Exclude<keyof SeedreamImageSpec, ParameterName | VitePluginField>;
const viteSpecIsTableSubset: [ViteExtra] extends [never] ? true : { notInTheTable: ViteExtra } = true;

/** Exactly the fields of SeedreamImageSpec (the compiler refuses a missing or extra key): the plugin's own list. */
const VITE_SPEC_FIELDS = {
  prompt: true,
  model: true,
  size: true,
  seed: true,
  watermark: true,
  output_format: true,
  guidance_scale: true,
  image: true,
  alt: true,
  widths: true,
  formats: true,
} as const satisfies Record<keyof SeedreamImageSpec, true>;

/** Table parameters the plugin deliberately does not take (they do not change a still image, or are per-call). */
const NOT_IN_VITE: ParameterName[] = [
  'sequential_image_generation',
  'sequential_image_generation_options',
  'stream',
  'response_format',
  'optimize_prompt_options',
  'tools',
  'layer_decomposition',
  'background',
];

describe('Vite: `seedream:?…` inline parameters', () => {
  /** The query-string spelling of a sample. */
  const queryValue = (name: string): string => {
    const sample = hasOwn(PARAMETERS, name) ? sampleFor(name as ParameterName) : 'x';
    if (name === 'model') return 'doubao-seedream-4-5-251128';
    if (name === 'w') return '640;1280';
    if (name === 'format') return 'avif;webp';
    return typeof sample === 'object' ? JSON.stringify(sample) : String(sample);
  };
  const parse = (name: string, value = queryValue(name)) => parseSpecifier(`?prompt=a%20red%20kite&${encodeURIComponent(name)}=${encodeURIComponent(value)}`);

  it('its fields are table parameters (plus its own `alt`), and each table parameter is taken or listed as not taken', () => {
    expect(viteSpecIsTableSubset).toBe(true);
    const requestFields = Object.keys(VITE_SPEC_FIELDS).filter((name) => !VITE_PLUGIN_FIELDS.includes(name));
    expect(requestFields.filter((name) => !hasOwn(PARAMETERS, name))).toEqual([]);
    expect([...requestFields, ...NOT_IN_VITE].sort()).toEqual([...WIRE_NAMES].sort());
    expect(requestFields.filter((name) => NOT_IN_VITE.includes(name as ParameterName))).toEqual([]);
  });

  it('accepts exactly its fields, typed as REQUEST_SHAPE wants them, and refuses every other name', () => {
    const candidates = new Set([
      ...WIRE_NAMES,
      ...Object.keys(VITE_SPEC_FIELDS),
      ...Object.keys(VITE_INLINE_NAMES),
      ...Object.keys(UNKNOWN_TOP_LEVEL),
      'images',
      'maxImages',
      '__proto__',
    ]);
    candidates.delete('prompt'); // always given
    const accepted: string[] = [];
    for (const name of candidates) {
      let spec: Record<string, unknown> | undefined;
      try {
        // Formats are per width: `format` comes with `w`.
        const parsed = name === 'format' ? parseSpecifier('?prompt=a%20red%20kite&w=640&format=avif%3Bwebp') : parse(name);
        if (parsed.kind !== 'inline') throw new Error('not inline');
        spec = parsed.spec as unknown as Record<string, unknown>;
      } catch (error) {
        // Refused, naming the field. (`__proto__` is refused as "given twice": the parser's `name in spec` sees
        // Object.prototype; still a refusal.)
        const inlineName = Object.entries(VITE_INLINE_NAMES).find(([, field]) => field === name)?.[0];
        const why = name in {} ? `\`${name}\` is given twice` : inlineName ? `inline, \`${name}\` is written \`${inlineName}\`` : `unknown field \`${name}\``;
        expect(String(error), name).toMatch(new RegExp(`^SeedreamPluginError: .*: ${why}$`));
        continue;
      }
      accepted.push(name);
      const { alt: _alt, widths: _widths, formats: _formats, ...params } = spec;
      const issues: ValidationIssue[] = [];
      checkShape(params, issues);
      expect(issues, `${name} parsed from the query`).toEqual([]);
      expect(undeclaredPaths(params), name).toEqual([]);
    }
    expect(accepted.sort()).toEqual(
      [
        ...Object.keys(VITE_SPEC_FIELDS).filter((name) => name !== 'prompt' && !Object.values(VITE_INLINE_NAMES).includes(name)),
        ...Object.keys(VITE_INLINE_NAMES),
      ].sort(),
    );
  });
});

// ── The playground's form ────────────────────────────────────────────────────────────────────────────────────

/** Table parameters the playground's form never sends (no control for them yet). */
const NOT_IN_PLAYGROUND: ParameterName[] = ['optimize_prompt_options', 'tools', 'layer_decomposition', 'background'];

describe('playground: the form state only produces table fields', () => {
  let emu: Emulator;
  let graphql: Served;
  let models: ModelInfo[] = [];

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, host: '127.0.0.1' });
    graphql = await startGraphQLServer(emu);
    // The catalogue as the playground reads it: its own query, its own normalisation.
    const response = await fetch(graphql.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MODELS_QUERY }),
    });
    const payload = (await response.json()) as { data: { seedreamModels: Parameters<typeof normaliseModel>[0][] } };
    models = payload.data.seedreamModels.map(normaliseModel);
  });
  afterAll(async () => {
    await graphql?.close();
    await emu?.close();
  });

  const file = (name: string) => new File([new Uint8Array([137, 80, 78, 71])], name, { type: 'image/png' });

  /** Every control turned on, as far as the model allows. */
  function fullForm(model: ModelInfo): FormState {
    const references = Array.from({ length: Math.min(2, model.maxReferenceImages) }, (_, index) => ({
      id: `r${index}`,
      file: file(`r${index}.png`),
      previewUrl: '',
    }));
    return {
      ...initialFormState(model),
      sequential: true,
      maxImages: 3,
      references,
      seed: '7',
      guidance: '5.5',
      responseFormat: 'b64_json',
      watermark: true,
      outputFormat: model.outputFormats[0] ?? 'jpeg',
    };
  }

  it('for every model, in every mode, keys (nested ones too) are table fields and values pass the shape', () => {
    expect(models.length).toBeGreaterThan(3);
    const produced = new Set<string>();
    for (const model of models) {
      for (const form of [initialFormState(model), fullForm(model), { ...fullForm(model), sizeMode: 'exact' as const, width: '2048', height: '2048' }]) {
        const params = toParams(form, model);
        for (const key of Object.keys(params)) produced.add(key);
        expect(undeclaredPaths(params), model.id).toEqual([]);
        expect(
          Object.keys(params).filter((key) => !BROWSER_PARAMETERS.includes(key as ParameterName)),
          model.id,
        ).toEqual([]);
        const { image: _image, ...rest } = params;
        const issues: ValidationIssue[] = [];
        checkShape(rest, issues);
        expect(issues, model.id).toEqual([]);
      }
    }
    // Each browser parameter is either produced by some form or listed as not offered: a new one fails here.
    expect([...produced, ...NOT_IN_PLAYGROUND].sort()).toEqual([...BROWSER_PARAMETERS].sort());
  });
});
