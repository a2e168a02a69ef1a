/**
 * `@seedream-kit/graphql/yoga`: the schema module served by graphql-yoga with the cost limits wired in.
 * graphql-yoga is an optional peer; only this subpath imports it.
 */
import { GraphQLError, parse, type ExecutionResult } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { Plugin, YogaServerInstance, YogaServerOptions } from 'graphql-yoga';
import { useRequestBodyLimit } from './body-limit.js';
import { seedreamValidationRules } from './limits.js';
import type { QueryLimits, SeedreamLimits } from './limits.js';
import type { SeedreamResolverOptions } from './resolvers.js';
import { createSeedreamSchema } from './schema.js';

export interface SeedreamLimitsPluginOptions {
  limits?: SeedreamLimits;
  queryLimits?: QueryLimits;
  /** Most tokens a document may have (graphql-js `maxTokens`); refuses huge documents before validation. Default 2 000. */
  maxTokens?: number;
}

/** A yoga/envelop plugin adding the validation rules (paid fields per operation, depth, aliases) and a token cap. */
export function useSeedreamLimits(options: SeedreamLimitsPluginOptions = {}): Plugin {
  const rules = seedreamValidationRules(options);
  const maxTokens = options.maxTokens ?? 2000;
  return {
    onParse({ setParseFn }) {
      setParseFn((source, parseOptions) => parse(source, { ...parseOptions, maxTokens }));
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
    // graphql-js refuses a variable it cannot coerce (`seed: 2^40`, `prompt: 42`) with no code; clients branch on codes.
    onExecute: () => ({ onExecuteDone: ({ result, setResult }) => codeVariableErrors(result, setResult) }),
    onSubscribe: () => ({ onSubscribeResult: ({ result, setResult }) => codeVariableErrors(result, setResult) }),
  };
}

/** Gives request errors about variables (no path, no code) the code BAD_USER_INPUT and the variable's name. */
function codeVariableErrors(result: unknown, setResult: (result: ExecutionResult) => void): void {
  if (!result || typeof result !== 'object' || !('errors' in result)) return; // a stream, or no errors
  const { errors } = result as ExecutionResult;
  if (!errors?.some(isUncodedVariableError)) return;
  setResult({
    ...(result as ExecutionResult),
    errors: errors.map((error) => {
      if (!isUncodedVariableError(error)) return error;
      const variable = /^Variable "\$([^"]+)"/.exec(error.message)?.[1];
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        originalError: error.originalError,
        extensions: { ...error.extensions, code: 'BAD_USER_INPUT', ...(variable ? { variable } : {}) },
      });
    }),
  });
}

function isUncodedVariableError(error: GraphQLError): boolean {
  return !error.path && error.extensions?.code === undefined && error.message.startsWith('Variable "$');
}

export interface SeedreamYogaOptions<TContext = any> extends SeedreamResolverOptions<TContext>, Omit<SeedreamLimitsPluginOptions, 'limits'> {
  /** Any other yoga option (`graphqlEndpoint`, `cors`, `context`, `graphiql`, `plugins` …). `schema` is ours.
   *  `batching` stays off unless you turn it on; when on, the operations of one HTTP request share one budget.
   *  `maxRequestBodySize` (default 25 MB, `false` for none) is enforced by a cheaper plugin of ours, see body-limit.ts. */
  yoga?: Omit<YogaServerOptions<Record<string, any>, Record<string, any>>, 'schema'>;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export function createSeedreamYoga<TContext = any>(options: SeedreamYogaOptions<TContext>): YogaServerInstance<{}, {}> {
  const { yoga = {}, queryLimits, maxTokens, ...resolverOptions } = options;
  const schema = createSeedreamSchema(resolverOptions);
  const { maxRequestBodySize, ...yogaOptions } = yoga;
  return createYoga({
    batching: false,
    ...yogaOptions,
    schema,
    // yoga's own body cap streams every body through a TransformStream; ours checks Content-Length (same limit).
    maxRequestBodySize: false,
    plugins: [
      useSeedreamLimits({ limits: resolverOptions.limits, queryLimits, maxTokens }),
      ...(yoga.plugins ?? []),
      // Last, so it wraps whichever request parser was picked, including one added by a plugin above.
      ...(maxRequestBodySize === false ? [] : [useRequestBodyLimit(maxRequestBodySize ?? undefined)]),
    ],
  }) as unknown as YogaServerInstance<{}, {}>;
}

export { useRequestBodyLimit, DEFAULT_MAX_REQUEST_BODY_SIZE } from './body-limit.js';
