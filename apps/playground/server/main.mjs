#!/usr/bin/env node
// @ts-check
/**
 * `pnpm start` (serves dist/) and `pnpm dev` (`--dev`: Vite in middleware mode). Environment:
 *   PORT (default 5173), HOST (default 127.0.0.1), COMETAPI_KEY / COMETAPI_BASE_URL (live mode),
 *   PLAYGROUND_EMULATOR_LATENCY (ms per image, default 400), PLAYGROUND_EMULATOR_FAULTS (emulator fault spec),
 *   PLAYGROUND_ALLOWED_HOSTS (extra host:port values accepted as same-origin), PLAYGROUND_REDIS_URL (jobs, budgets
 *   and uploads on Redis: run several instances as one), PLAYGROUND_SESSION_SECRET (shared by those instances),
 *   PLAYGROUND_EMULATOR_URL (an emulator already running), PLAYGROUND_IMAGE_DIR, PLAYGROUND_SHUTDOWN_GRACE_MS
 *   (how long running jobs may finish on SIGTERM, default 30 000).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exitGracefullyOnSignals, startPlayground } from './app.mjs';

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
  // Test knobs: how often a running job beats, and after how long without a beat another instance ends it.
  const heartbeatMs = Number(process.env.PLAYGROUND_JOB_HEARTBEAT_MS) || undefined;
  const staleAfterMs = Number(process.env.PLAYGROUND_JOB_STALE_MS) || undefined;
  const jobs = { ...(heartbeatMs ? { heartbeatMs } : {}), ...(staleAfterMs ? { staleAfterMs } : {}) };
  playground = await startPlayground({ port, host: values.host ?? process.env.HOST ?? '127.0.0.1', dev: values.dev, jobs });
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

exitGracefullyOnSignals(playground, { graceMs: Number(process.env.PLAYGROUND_SHUTDOWN_GRACE_MS ?? 30_000) });
