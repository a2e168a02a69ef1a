/** `createSeedreamSchema`: a ready graphql-js schema (no graphql-tools needed). */
import { buildSchema, isAbstractType, isObjectType } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { createResolvers } from './resolvers.js';
import type { SeedreamResolverOptions } from './resolvers.js';
import { typeDefs } from './type-defs.js';

/** Puts a `{ Type: { field } }` resolver map onto a schema built from SDL (what graphql-tools does). */
export function attachResolvers(schema: GraphQLSchema, resolvers: Record<string, Record<string, unknown>>): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`attachResolvers: no type ${typeName} in the schema`);
    if (isAbstractType(type)) {
      type.resolveType = fields.__resolveType as never;
      continue;
    }
    if (!isObjectType(type)) continue;
    const typeFields = type.getFields();
    for (const [fieldName, resolver] of Object.entries(fields)) {
      const field = typeFields[fieldName];
      if (!field) throw new Error(`attachResolvers: no field ${typeName}.${fieldName} in the schema`);
      if (typeof resolver === 'function') field.resolve = resolver as never;
      else Object.assign(field, resolver);
    }
  }
  return schema;
}

/** The Seedream schema module as a standalone executable schema (for yoga, Apollo Server, Mercurius, graphql-http). */
export function createSeedreamSchema<TContext = any>(options: SeedreamResolverOptions<TContext>): GraphQLSchema {
  const resolvers = createResolvers(options);
  return attachResolvers(buildSchema(typeDefs), resolvers as unknown as Record<string, Record<string, unknown>>);
}
