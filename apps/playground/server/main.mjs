#!/usr/bin/env node
// @ts-check
/**
 * `pnpm start` (serves dist/) and `pnpm dev` (`--dev`: Vite in middleware mode). Environment:
 *   PORT (default 5173), HOST (default 127.0.0.1), COMETAPI_KEY / COMETAPI_BASE_URL (live mode),
 *   PLAYGROUND_EMULATOR_LATENCY (ms per image, default 400), PLAYGROUND_EMULATOR_FAULTS (emulator fault spec),
 *   PLAYGROUND_ALLOWED_HOSTS (extra host:port values accepted as same-origin).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPlayground } from './app.mjs';

const { values } = parseArgs({
  options: { dev: { type: 'boolean', default: false }, port: { type: 'string' }, host: { type: 'string' } },
});

const dist = fileURLToPath(new URL('../dist/index.html', import.meta.url));
if (!values.dev && !existsSync(dist)) {
  console.error('The playground is not built yet. Run `pnpm --filter @seedream-kit/playground build` (or `pnpm start` at the root), or use `pnpm dev`.');
  process.exit(1);
}

const port = Number(values.port ?? process.env.PORT ?? 5173);
let playground;
try {
  playground = await startPlayground({ port, host: values.host ?? process.env.HOST ?? '127.0.0.1', dev: values.dev });
} catch (error) {
  const code = /** @type {{ code?: string }} */ (error).code;
  console.error(code === 'EADDRINUSE' ? `Port ${port} is in use. Set PORT to another port, e.g. PORT=5174 pnpm start.` : error);
  process.exit(1);
}

const source =
  playground.mode === 'emulator'
    ? `the in-process emulator at ${playground.emulator?.url} (no COMETAPI_KEY set: offline, free placeholder art)`
    : 'CometAPI (COMETAPI_KEY is set: generations are real and billed)';
console.log(`Seedream playground${values.dev ? ' (dev)' : ''}: ${playground.url}`);
console.log(`Images come from ${source}.`);

let stopping = false;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    playground.close().then(() => process.exit(0));
  });
}
