/**
 * graphql-jit for the documents a server runs again and again. A compiled document skips graphql-js's per-run
 * work (variable coercion, field collection, result completion). Compiling one costs about a millisecond, more
 * than running it, so a document is compiled only once it has run `after` times: a caller sending a new document
 * per request never makes the server compile. The count is keyed on the document object, which yoga's parser
 * cache keeps for the same query text.
 *
 * The answers are the interpreted executor's, byte for byte (test/jit.test.ts holds the two to one table):
 * - refused variables: graphql-jit checks them before any resolver runs, so the request is handed to the
 *   interpreted executor, which refuses it with its own words and status (nothing ran, nothing is spent twice);
 * - field errors: graphql-jit's carry only line and column, and yoga rebuilds every error from its source
 *   positions, so they are rebuilt as graphql-js errors located in the document's source.
 * Subscriptions, and documents holding several operations, always run interpreted.
 */
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, GraphQLError, Kind, type Source } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

export interface SeedreamJitOptions {
  /** Runs of a document on the interpreted executor before it is compiled. Default 10; 0 compiles on the first run. */
  after?: number;
}

/** A document that is never compiled. */
const NEVER = -1;

type Execute = (args: ExecutionArgs) => unknown;

/** One query or mutation: a document whose compiled form fits whatever operation name a request gives. */
function compilable(document: DocumentNode): boolean {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 && operations[0]!.operation !== 'subscription';
}

export function useSeedreamJit(options: SeedreamJitOptions = {}): Plugin {
  const after = options.after ?? 10;
  if (!Number.isInteger(after) || after < 0) throw new RangeError('useSeedreamJit: `after` must be a non-negative integer.');
  const documents = new WeakMap<DocumentNode, number | CompiledQuery>();

  /** The compiled form once `document` is hot; undefined while it runs interpreted. */
  function compiledFor(args: ExecutionArgs): CompiledQuery | undefined {
    const { document } = args;
    const seen = documents.get(document) ?? (compilable(document) ? 0 : NEVER);
    if (typeof seen !== 'number') return seen;
    if (seen === NEVER || seen < after) {
      documents.set(document, seen === NEVER ? NEVER : seen + 1);
      return undefined;
    }
    const compiled = compileQuery(args.schema, document, args.operationName ?? undefined);
    documents.set(document, isCompiledQuery(compiled) ? compiled : NEVER);
    return isCompiledQuery(compiled) ? compiled : undefined;
  }

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const compiled = compiledFor(args);
      if (compiled) setExecuteFn(((run: ExecutionArgs) => runCompiled(compiled, run, executeFn as Execute)) as never);
    },
  };
}

async function runCompiled(compiled: CompiledQuery, args: ExecutionArgs, interpreted: Execute): Promise<unknown> {
  const result = (await compiled.query(args.rootValue, args.contextValue, args.variableValues)) as ExecutionResult;
  // No `data`: the variables were refused before anything ran.
  if (result.data === undefined) return interpreted(args);
  if (!result.errors?.length) return result;
  const source = args.document.loc?.source;
  return { ...result, errors: result.errors.map((error) => located(error, source)) };
}

/** graphql-jit's error as graphql-js makes it: located by positions in the document's source. */
function located(error: GraphQLError, source: Source | undefined): GraphQLError {
  const positions = source && error.locations?.map(({ line, column }) => offsetOf(source.body, line, column));
  return new GraphQLError(error.message, {
    ...(positions?.length ? { source, positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions ? { extensions: error.extensions } : {}),
  });
}

/** The offset of a 1-based line and column in `body` (graphql-js counts \r\n, \n and \r as line ends). */
function offsetOf(body: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = body.slice(offset).search(/\r\n|\n|\r/);
    if (next < 0) break;
    offset += next + (body.startsWith('\r\n', offset + next) ? 2 : 1);
  }
  return offset + column - 1;
}
