/** Starts the built playground (server + in-process emulator) for a test file. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPlayground } from '../../server/app.mjs';

export const appDir = fileURLToPath(new URL('../..', import.meta.url));
export const distDir = fileURLToPath(new URL('../../dist', import.meta.url));
export const outputDir = fileURLToPath(new URL('../../test-output', import.meta.url));

export type Playground = Awaited<ReturnType<typeof startPlayground>>;
export type PlaygroundOptions = NonNullable<Parameters<typeof startPlayground>[0]>;

export async function startBuiltPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  if (!existsSync(`${distDir}/index.html`)) {
    throw new Error(
      'apps/playground/dist is missing: the browser tests run against the built app. ' +
        'Run `pnpm --filter @seedream-kit/playground build` first (turbo does it before `test`).',
    );
  }
  return startPlayground({ port: 0, ...options });
}
