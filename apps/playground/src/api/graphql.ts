/** A minimal GraphQL-over-HTTP client for the playground's own queries (the hook has its own transport). */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

export async function graphqlRequest<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  const body = (await response.json().catch(() => undefined)) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> } | undefined;
  const first = body?.errors?.[0];
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code);
  if (!response.ok || !body?.data) throw new GraphQLRequestError(`GraphQL request failed (HTTP ${response.status})`);
  return body.data;
}
