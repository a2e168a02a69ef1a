// One playground instance as its own process for `pnpm load --instances N` (as reliability/fixtures/
// playground-instance.mjs, plus an IPC channel for RSS): the real server module with the real signal handling.
// Options as JSON in argv[2]; sends { url } once it listens; 'rss-gc' → { rss } after a full GC (run with --expose-gc).
import { exitGracefullyOnSignals, startPlayground } from '../../apps/playground/server/app.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const playground = await startPlayground({ port: 0, host: '127.0.0.1', apiKey: '', ...options });
exitGracefullyOnSignals(playground, { graceMs: 10_000, log: () => undefined });
process.on('message', (message) => {
  if (message === 'rss-gc') {
    globalThis.gc?.();
    process.send?.({ rss: process.memoryUsage().rss });
  }
});
process.on('disconnect', () => process.exit(0)); // the load test went away: never outlive it
process.send?.({ url: playground.url });
