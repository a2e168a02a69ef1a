/**
 * The GraphQL side of the parameter table, resolved: one entry per input field of `GenerateImagesInput`, with
 * its SDL type (from the codec and the rule), its descriptions (from `PARAMETER_DOCS`, read only here), and for
 * enums their values (the rule's, UPPER_CASE). What
 * @seedream-kit/graphql prints its input type from and maps with (`toGenerateParams`, `toInputPath`). Server
 * side; the browser transport reads the compact `GRAPHQL_INPUT_CODECS` instead (graphql-input.ts).
 */
import { PARAMETERS, type GraphQLCodec, type ParameterName, type ParameterSpec } from './parameters.js';
import { PARAMETER_DOCS, type ParameterDoc } from './parameter-docs.js';
import type { Rule } from './shape.js';

export interface GraphQLEnumValue {
  /** The wire value (`b64_json`). */
  wire: string;
  /** The GraphQL value (`B64_JSON`). */
  name: string;
  description?: string;
}

export interface GraphQLInputField {
  /** The wire name (`response_format`). */
  wire: ParameterName;
  /** The input field (`responseFormat`). */
  field: string;
  /** Its SDL type: `String!`, `[String!]`, `Int`, `Float`, `Boolean` or an enum's name. */
  type: string;
  description: string;
  codec: GraphQLCodec;
  nested?: string;
  /** The rule of the value the codec maps (the nested key's, with `nested`); none for `image`. */
  rule?: Rule;
  enum?: { name: string; description: string; values: GraphQLEnumValue[] };
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
/** The docs, seen through their declared type (looked up by any wire name). */
const DOCS: Partial<Record<ParameterName, ParameterDoc>> = PARAMETER_DOCS;

const SCALARS: Partial<Record<Rule['kind'], string>> = { string: 'String', integer: 'Int', number: 'Float', boolean: 'Boolean' };

function resolve(wire: ParameterName, spec: ParameterSpec): GraphQLInputField | undefined {
  const graphql = spec.graphql;
  if (!spec.browser || graphql === null || graphql === 'operation') return undefined;
  const fail = (why: string) => new Error(`PARAMETERS.${wire}.graphql: ${why}`);
  let rule = spec.rule;
  if (graphql.nested !== undefined) {
    rule = rule?.kind === 'object' ? rule.fields[graphql.nested] : undefined;
    if (!rule) throw fail(`\`nested: ${graphql.nested}\` is no field of the rule`);
  }
  const docs = DOCS[wire];
  if (!docs) throw new Error(`PARAMETER_DOCS.${wire}: missing (every GraphQL input field has a description)`);
  const field: GraphQLInputField = { wire, field: graphql.field, type: '', description: docs.description, codec: graphql.codec };
  if (graphql.nested !== undefined) field.nested = graphql.nested;
  if (rule) field.rule = rule;
  switch (graphql.codec) {
    case 'value':
      field.type = (rule && SCALARS[rule.kind]) ?? '';
      if (!field.type) throw fail('`value` needs a string, integer, number or boolean rule');
      break;
    case 'enum': {
      if (rule?.kind !== 'enum' || !graphql.enum) throw fail('`enum` needs an enum rule and an `enum` type');
      if (!docs.enum) throw new Error(`PARAMETER_DOCS.${wire}: the \`enum\` codec needs an \`enum\` description`);
      const descriptions: Record<string, string | undefined> = docs.enum.values ?? {};
      for (const key of Object.keys(descriptions)) {
        if (!rule.values.includes(key)) throw new Error(`PARAMETER_DOCS.${wire}: a description for \`${key}\`, which the rule does not have`);
      }
      const values = rule.values.map((value): GraphQLEnumValue => {
        const name = value.toUpperCase();
        if (!GRAPHQL_NAME.test(name)) throw fail(`\`${value}\` upper-cased is no GraphQL name`);
        return Object.hasOwn(descriptions, value) ? { wire: value, name, description: descriptions[value]! } : { wire: value, name };
      });
      field.type = graphql.enum.name;
      field.enum = { name: graphql.enum.name, description: docs.enum.description, values };
      break;
    }
    case 'flag':
      if (rule?.kind !== 'enum' || rule.values.join() !== 'auto,disabled') throw fail("`flag` needs the rule `'auto' | 'disabled'`");
      field.type = 'Boolean';
      break;
    case 'webSearch':
      if (
        rule?.kind !== 'array' ||
        rule.item.kind !== 'object' ||
        rule.item.fields.type?.kind !== 'enum' ||
        !rule.item.fields.type.values.includes('web_search')
      ) {
        throw fail('`webSearch` needs a rule of tools (`[{ type: "web_search" }]`)');
      }
      field.type = 'Boolean';
      break;
    case 'list':
      if (rule) throw fail('`list` maps reference images, which have no rule');
      field.type = '[String!]';
      break;
  }
  if (spec.required) field.type += '!';
  return field;
}

/** The input fields of `GenerateImagesInput`, in the table's order: every browser parameter with an input field. */
export const GRAPHQL_INPUT_FIELDS: readonly GraphQLInputField[] = (Object.keys(PARAMETERS) as ParameterName[]).flatMap((wire) => {
  const field = resolve(wire, PARAMETERS[wire]);
  return field ? [field] : [];
});
