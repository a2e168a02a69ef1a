/**
 * The model-independent shape of a request, as data: each known field's type, enum or numeric range, with
 * the message shown when it is wrong. Checked by one small interpreter (hand-written rather than a schema
 * library: this runs on every call and the request-overhead budget is a few microseconds).
 */
import type { ValidationIssue } from '../types.js';
import { isPlainObject } from './plain-object.js';

type Rule =
  | { kind: 'string'; message: string; nonEmpty?: string }
  | { kind: 'boolean'; message: string }
  | { kind: 'enum'; values: readonly string[]; message: string }
  | { kind: 'integer'; min: number; max: number; type: string; integer: string; range: string }
  | { kind: 'number'; min: number; max: number; type: string; range: string }
  | { kind: 'object'; fields: Record<string, Rule>; message: string }
  | { kind: 'array'; item: Rule; message: string };

const SEED_MAX = 2_147_483_647;
const boolean = (field: string): Rule => ({ kind: 'boolean', message: `\`${field}\` must be a boolean` });
const oneOf = (field: string, values: readonly string[]): Rule => ({ kind: 'enum', values, message: `\`${field}\` must be one of: ${values.join(', ')}` });

export const REQUEST_SHAPE: Record<string, Rule> = {
  model: { kind: 'string', message: '`model` must be a string', nonEmpty: '`model` must not be empty' },
  prompt: { kind: 'string', message: '`prompt` must be a string' },
  size: { kind: 'string', message: '`size` must be a string such as "2K" or "2048x2048"' },
  seed: { kind: 'integer', min: -1, max: SEED_MAX, type: '`seed` must be a number', integer: '`seed` must be an integer', range: `\`seed\` must be in [-1, ${SEED_MAX}] (-1 = random)` },
  sequential_image_generation: oneOf('sequential_image_generation', ['auto', 'disabled']),
  sequential_image_generation_options: {
    kind: 'object',
    message: '`sequential_image_generation_options` must be an object like { max_images: 4 }',
    fields: {
      max_images: { kind: 'integer', min: 1, max: 15, type: '`max_images` must be a number', integer: '`max_images` must be an integer', range: '`max_images` must be in [1, 15]' },
    },
  },
  stream: boolean('stream'),
  guidance_scale: { kind: 'number', min: 1, max: 10, type: '`guidance_scale` must be a number', range: '`guidance_scale` must be in [1, 10]' },
  response_format: oneOf('response_format', ['url', 'b64_json']),
  watermark: boolean('watermark'),
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
};

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
    const rule = REQUEST_SHAPE[key];
    const value = params[key];
    if (rule === undefined || value === undefined || !Object.prototype.hasOwnProperty.call(REQUEST_SHAPE, key)) continue;
    if (!check(value, rule, key, issues)) (failed ??= new Set()).add(key);
  }
  return failed;
}
