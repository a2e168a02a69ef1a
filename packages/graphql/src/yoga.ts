/**
 * `@seedream-kit/graphql/yoga`: the schema module served by graphql-yoga with the cost limits wired in.
 * graphql-yoga is an optional peer; only this subpath imports it.
 */
import { GraphQLError, Kind, getOperationAST, parse, type DocumentNode, type ExecutionResult, type SelectionSetNode } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { Plugin, YogaServerInstance, YogaServerOptions } from 'graphql-yoga';
import { type SpendingPolicy, toSpendingPolicy } from '@seedream-kit/core/server';
import { useRequestBodyLimit } from './body-limit.js';
import { type SeedreamJitOptions, useSeedreamJit } from './jit.js';
import { PAID_FIELDS, seedreamValidationRules } from './limits.js';
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

/**
 * The spending policy's HTTP rules, in yoga where its other HTTP policies live:
 * - body caps before parsing: the policy's `maxBodyBytes` for a caller it knows, `maxPublicBodyBytes` (kilobytes)
 *   for anyone else, so anonymous bodies are refused unread even on public operations (the model list);
 * - paid fields (and `cancelGeneration`) only in a POST with a JSON body (a GET, a form or text/plain POST is a
 *   request any site can make with the user's cookies and no CORS preflight: CSRF);
 * - `X-Content-Type-Options: nosniff` on every answer.
 */
export function useSeedreamPolicy(policy: SpendingPolicy): Plugin {
  const bodyLimit = useRequestBodyLimit(async (request) =>
    (await policy.tryIdentify(request, 'generate')) ? policy.limits.maxBodyBytes : policy.limits.maxPublicBodyBytes,
  );
  const refuseUnlessJsonPost = (args: { document: DocumentNode; operationName?: string | null | undefined; contextValue: unknown }) => {
    const request = (args.contextValue as { request?: Request } | undefined)?.request;
    if (!request || isJsonPost(request) || !selectsPaidField(args.document, args.operationName)) return;
    throw new GraphQLError('Image generation and cancelling need a POST with a JSON body (Content-Type: application/json).', {
      extensions: { code: 'FORBIDDEN', http: { status: 403 } },
    });
  };
  return {
    onRequestParse: bodyLimit.onRequestParse!,
    onExecute: ({ args }) => refuseUnlessJsonPost(args),
    onSubscribe: ({ args }) => refuseUnlessJsonPost(args),
    onResponse: ({ response }) => {
      response.headers.set('x-content-type-options', 'nosniff');
    },
  };
}

/** Root fields a cross-site request must not reach: the paid ones, and stopping a job. */
const JSON_POST_FIELDS: ReadonlySet<string> = new Set([...PAID_FIELDS, 'cancelGeneration']);

/** True when the operation to run selects a paid root field or `cancelGeneration` (through fragments too). */
function selectsPaidField(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) return false;
  const fragments = new Map(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return JSON_POST_FIELDS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return visit(fragment.selectionSet);
    });
  return visit(operation.selectionSet);
}

/** A POST whose body is declared JSON (`application/json`, `application/graphql-response+json` …). */
function isJsonPost(request: Request): boolean {
  if (request.method !== 'POST') return false;
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export interface SeedreamYogaOptions<TContext = any> extends SeedreamResolverOptions<TContext>, Omit<SeedreamLimitsPluginOptions, 'limits'> {
  /** Queries and mutations run often are compiled with graphql-jit (`useSeedreamJit`): by default once a document
   *  has run 10 times. `false` keeps every operation on graphql-js. */
  jit?: SeedreamJitOptions | false;
  /** Any other yoga option (`graphqlEndpoint`, `cors`, `context`, `graphiql`, `plugins` …). `schema` is ours, and
   *  so are body caps (the policy's `maxBodyBytes` and `maxPublicBodyBytes`). `batching` stays off unless you turn
   *  it on; when on, the operations of one HTTP request share one budget. `cors` is off (same origin only) unless
   *  you list origins. */
  yoga?: Omit<YogaServerOptions<Record<string, any>, Record<string, any>>, 'schema' | 'maxRequestBodySize'>;
}

// biome-ignore lint/complexity/noBannedTypes: yoga's own defaults for the server and user context types
type SeedreamYogaServer = YogaServerInstance<{}, {}>;

export function createSeedreamYoga<TContext = any>(options: SeedreamYogaOptions<TContext>): SeedreamYogaServer {
  const { yoga = {}, queryLimits, maxTokens, jit = {}, ...resolverOptions } = options;
  const policy = toSpendingPolicy(resolverOptions.policy, 'createSeedreamYoga');
  const schema = createSeedreamSchema({ ...resolverOptions, policy });
  const server = createYoga({
    batching: false,
    // Same origin only: yoga's default answers any origin's preflight with credentials allowed.
    cors: false,
    ...yoga,
    schema,
    // yoga's own body cap streams every body through a TransformStream; the policy's checks Content-Length.
    maxRequestBodySize: false,
    plugins: [
      useSeedreamLimits({ limits: resolverOptions.limits, queryLimits, maxTokens }),
      ...(jit === false ? [] : [useSeedreamJit(jit)]),
      ...(yoga.plugins ?? []),
      // Last, so its body cap wraps whichever request parser was picked, including one added by a plugin above.
      useSeedreamPolicy(policy),
    ],
  });
  return refuseUnparsableNodeRequests(server) as unknown as SeedreamYogaServer;
}

interface NodeRequestLike {
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: unknown;
}
interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string>): { end(body: string): void };
}

/**
 * yoga builds a node request's URL from its Host header and target; when that does not parse (`Host: a b`), its
 * error handler answers 500 with the stack trace, before any plugin runs. Such a request is answered 400 here.
 */
function refuseUnparsableNodeRequests<T extends object>(server: T): T {
  return new Proxy(server, {
    // Node's EventEmitter calls `listener.apply(…)`; yoga's own proxy would hand out its handler's `apply`, bound
    // past this guard, so the Function methods come from here.
    get(target, prop) {
      if (prop === 'apply' || prop === 'call' || prop === 'bind') return Function.prototype[prop];
      return Reflect.get(target, prop);
    },
    apply(target, self, args: unknown[]) {
      const [req, res] = args as [NodeRequestLike | undefined, NodeResponseLike | undefined];
      const isNode = typeof req === 'object' && req !== null && 'socket' in req && typeof res?.writeHead === 'function';
      if (isNode) {
        const host = req.headers[':authority'] ?? req.headers.host ?? 'localhost';
        if (!URL.canParse(`http://${String(host)}${req.url ?? '/'}`)) {
          res!.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end('Bad request');
          return undefined;
        }
      }
      return Reflect.apply(target as (...args: unknown[]) => unknown, self, args);
    },
  });
}

export { useRequestBodyLimit, DEFAULT_MAX_REQUEST_BODY_SIZE } from './body-limit.js';
export { useSeedreamJit, type SeedreamJitOptions } from './jit.js';
