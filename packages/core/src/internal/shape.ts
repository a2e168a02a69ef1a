/**
 * The model-independent shape of a request, as data: each known field's type, enum or numeric range, with
 * the message shown when it is wrong, and its interpreter (hand-written rather than a schema library: this runs on
 * every call and the request-overhead budget is a few microseconds).
 *
 * A request field's rule is declared here (`REQUEST_SHAPE`), and only here: this module is in the module graph of
 * `validateParams` (browser bundles), so it imports nothing from the parameter table. The field's other facets
 * (whether a browser may set it, whether it is required, its GraphQL side) are declared in `parameters.ts`, which
 * reads the rule from here (`PARAMETERS.seed.rule` is `REQUEST_SHAPE.seed`); its GraphQL descriptions are in
 * `parameter-docs.ts`. Their types require the same parameter names in each (`image` has no rule: validation
 * checks it itself), and core's test/parameter-table.test.ts holds the rest together.
 */
import type { ValidationIssue } from '../types.js';
import { isPlainObject } from './plain-object.js';

export type Rule =
  | { kind: 'string'; message: string; nonEmpty?: string }
  | { kind: 'boolean'; message: string }
  | { kind: 'enum'; values: readonly string[]; message: string }
  | { kind: 'integer'; min: number; max: number; type: string; integer: string; range: string }
  | { kind: 'number'; min: number; max: number; type: string; range: string }
  | { kind: 'object'; fields: Record<string, Rule>; message: string }
  | { kind: 'array'; item: Rule; message: string };

const SEED_MAX = 2_147_483_647;
const boolean = (field: string) => ({ kind: 'boolean', message: `\`${field}\` must be a boolean` }) as const;
const oneOf = <const V extends readonly string[]>(field: string, values: V) =>
  ({ kind: 'enum', values, message: `\`${field}\` must be one of: ${values.join(', ')}` }) as const;

/**
 * Each parameter's rule, by wire name, in the table's order (the GraphQL input's): every parameter of the table
 * (`PARAMETERS`, parameters.ts) but `image`, which has none. A new field's rule goes here, its other facets in
 * `PARAMETERS`; the table's type fails until both name the same parameters.
 */
const RULES = {
  prompt: { kind: 'string', message: '`prompt` must be a string' },
  model: { kind: 'string', message: '`model` must be a string', nonEmpty: '`model` must not be empty' },
  size: { kind: 'string', message: '`size` must be a string such as "2K" or "2048x2048"' },
  sequential_image_generation: oneOf('sequential_image_generation', ['auto', 'disabled']),
  sequential_image_generation_options: {
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
  stream: boolean('stream'),
  seed: {
    kind: 'integer',
    min: -1,
    max: SEED_MAX,
    type: '`seed` must be a number',
    integer: '`seed` must be an integer',
    range: `\`seed\` must be in [-1, ${SEED_MAX}] (-1 = random)`,
  },
  guidance_scale: { kind: 'number', min: 1, max: 10, type: '`guidance_scale` must be a number', range: '`guidance_scale` must be in [1, 10]' },
  watermark: boolean('watermark'),
  response_format: oneOf('response_format', ['url', 'b64_json']),
  output_format: oneOf('output_format', ['png', 'jpeg']),
  optimize_prompt_options: {
    kind: 'object',
    message: '`optimize_prompt_options` must be an object like { mode: "standard" }',
    fields: { mode: oneOf('mode', ['standard', 'fast']) },
  },
  tools: {
    kind: 'array',
    message: '`tools` must be an array like [{ type: "web_search" }]',
    item: {
      kind: 'object',
      message: 'each tool must be an object like { type: "web_search" }',
      fields: { type: { kind: 'enum', values: ['web_search'], message: 'the only tool is { type: "web_search" }' } },
    },
  },
  layer_decomposition: boolean('layer_decomposition'),
  background: oneOf('background', ['transparent', 'opaque']),
} as const satisfies { readonly [name: string]: Rule };

/** The rules as declared (each one's literal type: `parameters.ts` and `parameter-docs.ts` read enum values from it). */
export type RequestShape = typeof RULES;

/** The parameters that have a rule (all but `image`). */
export type RuledParameterName = keyof RequestShape;

/**
 * Each parameter's rule, by wire name (`image` has none: validation checks it itself). Typed as declared and, for
 * a lookup by any string (a request's keys), as a record of rules.
 */
export const REQUEST_SHAPE: RequestShape & { readonly [name: string]: Rule } = RULES;

/** Checks one value; pushes issues; returns false when it was wrong. `undefined` means absent and passes. */
function check(value: unknown, rule: Rule, path: string, issues: ValidationIssue[]): boolean {
  const fail = (message: string) => {
    issues.push({ path, message, severity: 'error' });
    return false;
  };
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string') return fail(rule.message);
      return rule.nonEmpty && value === '' ? fail(rule.nonEmpty) : true;
    case 'boolean':
      return typeof value === 'boolean' || fail(rule.message);
    case 'enum':
      return (typeof value === 'string' && rule.values.includes(value)) || fail(rule.message);
    case 'integer':
      if (typeof value !== 'number' || Number.isNaN(value)) return fail(rule.type);
      if (!Number.isInteger(value)) return fail(rule.integer);
      return (value >= rule.min && value <= rule.max) || fail(rule.range);
    case 'number':
      if (typeof value !== 'number' || Number.isNaN(value)) return fail(rule.type);
      return (Number.isFinite(value) && value >= rule.min && value <= rule.max) || fail(rule.range);
    case 'object': {
      if (!isPlainObject(value)) return fail(rule.message);
      let ok = true;
      for (const key in rule.fields) {
        const inner = value[key];
        if (inner !== undefined && !check(inner, rule.fields[key]!, `${path}.${key}`, issues)) ok = false;
      }
      return ok;
    }
    case 'array': {
      if (!Array.isArray(value)) return fail(rule.message);
      let ok = true;
      for (let index = 0; index < value.length; index++) {
        if (!check(value[index], rule.item, `${path}[${index}]`, issues)) ok = false;
      }
      return ok;
    }
  }
}

/**
 * Checks the known fields of `params` (unknown fields pass through untouched). Returns the top-level fields
 * that were wrong, or undefined when none was.
 */
export function checkShape(params: Record<string, unknown>, issues: ValidationIssue[]): Set<string> | undefined {
  let failed: Set<string> | undefined;
  for (const key in params) {
    // The literal, not its export (an alias that browser bundles then need not carry).
    const rule = (RULES as { readonly [name: string]: Rule })[key];
    const value = params[key];
    if (rule === undefined || value === undefined || !Object.hasOwn(RULES, key)) continue;
    if (!check(value, rule, key, issues)) (failed ??= new Set()).add(key);
  }
  return failed;
}
