/**
 * The model-independent shape of a request, as data: each known field's type, enum or numeric range, with
 * the message shown when it is wrong. The rules are declared in the parameter table (`parameters.ts`, one entry
 * per field); this is their interpreter (hand-written rather than a schema library: this runs on every call and
 * the request-overhead budget is a few microseconds).
 */
import type { ValidationIssue } from '../types.js';
import { PARAMETERS, type ParameterName, type ParameterSpec } from './parameters.js';
import { isPlainObject } from './plain-object.js';

export type Rule =
  | { kind: 'string'; message: string; nonEmpty?: string }
  | { kind: 'boolean'; message: string }
  | { kind: 'enum'; values: readonly string[]; message: string }
  | { kind: 'integer'; min: number; max: number; type: string; integer: string; range: string }
  | { kind: 'number'; min: number; max: number; type: string; range: string }
  | { kind: 'object'; fields: Record<string, Rule>; message: string }
  | { kind: 'array'; item: Rule; message: string };

/** Each table parameter's rule, by wire name (`image` has none: validation checks it itself). */
export const REQUEST_SHAPE: Record<string, Rule> = {};
for (const name of Object.keys(PARAMETERS) as ParameterName[]) {
  const rule = (PARAMETERS[name] as ParameterSpec).rule;
  if (rule) REQUEST_SHAPE[name] = rule;
}

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
