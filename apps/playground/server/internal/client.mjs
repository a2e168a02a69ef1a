// @ts-check
import { createSeedream } from '@seedream-kit/core';

/**
 * The server's one core client. Retries stay off (core's default): a generation is paid and not idempotent.
 * @param {{ apiKey: string, baseURL?: string }} options
 */
export function createClient({ apiKey, baseURL }) {
  return createSeedream({ apiKey, baseURL });
}
