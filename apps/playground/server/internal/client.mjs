// @ts-check
import { createSeedream } from '@seedream-kit/core';
import { createNodeFetch } from '@seedream-kit/core/node';

/**
 * The server's one core client. Retries stay off (core's default): a generation is paid and not idempotent.
 * Its fetch is node:http (`createNodeFetch`): every job holds a stream open, and this one costs less per stream.
 * @param {{ apiKey: string, baseURL?: string }} options
 */
export function createClient({ apiKey, baseURL }) {
  return createSeedream({ apiKey, baseURL, fetch: createNodeFetch() });
}
