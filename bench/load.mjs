#!/usr/bin/env node
// `pnpm load`: the playground server on its in-process emulator (realistic, randomised latency) under
// LOAD_CLIENTS concurrent clients (default 200) for LOAD_SECONDS (default 60), on loopback only. Each client
// loops over a mix of GraphQL mutations, GraphQL subscriptions (sequential, image by image over SSE) and the
// HTTP route of @seedream-kit/react (streaming). The server runs in its own process so its RSS is its own;
// it is sampled (after a GC) once warm and again at the end. Bounded and self-stopping: a hard deadline kills
// everything LOAD_SECONDS + 60 s after the start. Writes bench/load-results.json.
// `--duration <s>` overrides LOAD_SECONDS. `--instances <n>` (n ≥ 2) runs the multi-instance load instead: n
// playground instances on one Redis behind a round-robin proxy (bench/lib/load-instances.mjs; writes
// bench/load-instances-results.json).
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { percentile } from './lib/stats.mjs';

/** `--name value` or `--name=value` from the command line (pnpm passes them through). */
function flag(name) {
  const args = process.argv.slice(2);
  const at = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return args[at].includes('=') ? args[at].slice(args[at].indexOf('=') + 1) : args[at + 1];
}
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 200);
const SECONDS = Number(flag('duration') ?? process.env.LOAD_SECONDS ?? 60);
const INSTANCES = Number(flag('instances') ?? 1);
if (!(SECONDS > 0) || !Number.isInteger(INSTANCES) || INSTANCES < 1) {
  console.error('usage: pnpm load [--duration <seconds>] [--instances <n>]');
  process.exit(2);
}
/** The multi-instance run starts Redis, the emulator and the instances before its clients, and drains after. */
const HARD_DEADLINE_SECONDS = SECONDS + (INSTANCES > 1 ? 180 : 60);
const WARMUP_SECONDS = Math.min(10, Math.max(1, SECONDS / 6));
const REQUEST_TIMEOUT = 30_000;
const here = fileURLToPath(new URL('.', import.meta.url));

const hardStop = setTimeout(() => {
  console.error(`load: hard deadline reached (${HARD_DEADLINE_SECONDS} s); stopping`);
  server?.kill('SIGKILL');
  process.exit(2);
}, HARD_DEADLINE_SECONDS * 1000);
hardStop.unref();

// ---- the server process -------------------------------------------------------------------------------------
let server;

async function runServer() {
  const { startPlayground } = await import('../apps/playground/server/app.mjs');
  const playground = await startPlayground({
    port: 0,
    apiKey: '', // always the emulator: a load test must never reach (or bill) CometAPI
    // The emulator's caches are bounded LRUs (rendered art 128 MiB, served images 256 MiB): they fill during the
    // warm-up, so what could grow between the two RSS samples is the server's own state.
    emulatorOptions: { latency: { mean: 400, sd: 150 }, logLimit: 100 },
    // Throughput is measured here, not the budget: the clients share one session and would use it up at once.
    budget: false,
  });
  process.on('message', (message) => {
    if (message === 'rss') {
      globalThis.gc?.();
      process.send?.({ rss: process.memoryUsage().rss });
    } else if (message === 'close') {
      playground.close().then(() => process.exit(0));
    }
  });
  process.send?.({ url: playground.url });
}

// ---- the clients --------------------------------------------------------------------------------------------
async function runLoad() {
  server = fork(fileURLToPath(import.meta.url), ['--server'], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, COMETAPI_KEY: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await nextMessage(server, 'url');
  const origin = url;
  // The page hands out a session cookie, which the APIs require; the clients share one visit's session.
  const page = await fetch(url);
  await page.arrayBuffer();
  const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const headers = { origin, cookie, 'content-type': 'application/json' };
  console.error(`load: ${CLIENTS} clients for ${SECONDS} s against ${url} (emulator, latency ~400±150 ms per image)`);

  const operations = [
    { name: 'graphql mutation', weight: 2, run: (signal) => graphqlMutation(url, headers, signal) },
    { name: 'graphql subscription', weight: 2, run: (signal) => graphqlSubscription(url, headers, signal) },
    { name: 'route stream', weight: 1, run: (signal) => routeStream(url, headers, signal) },
  ];
  const stats = new Map(operations.map((op) => [op.name, { latencies: [], errors: 0, images: 0, errorSamples: [] }]));
  const pick = weightedPicker(operations);

  const begin = performance.now();
  const warmEnd = begin + WARMUP_SECONDS * 1000;
  const end = begin + SECONDS * 1000;
  let rssStart;
  const rssAtWarm = (async () => {
    await sleep(WARMUP_SECONDS * 1000);
    rssStart = await requestRss(server);
  })();

  let counted = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      await sleep((client * 1000) / CLIENTS); // ramp up over the first second
      while (performance.now() < end) {
        const op = pick();
        const started = performance.now();
        const signal = AbortSignal.timeout(REQUEST_TIMEOUT);
        const entry = stats.get(op.name);
        try {
          const images = await op.run(signal);
          if (started >= warmEnd) {
            entry.latencies.push(performance.now() - started);
            entry.images += images;
            counted++;
          }
        } catch (error) {
          entry.errors++;
          if (entry.errorSamples.length < 3) entry.errorSamples.push(String(error?.message ?? error).slice(0, 160));
          await sleep(100); // a failing server must not turn the clients into a busy loop
        }
      }
    }),
  );
  const measuredSeconds = (performance.now() - warmEnd) / 1000;
  await rssAtWarm;
  const rssEnd = await requestRss(server);
  server.send('close');
  await new Promise((resolve) => server.once('exit', resolve));

  const rows = [...stats].map(([name, s]) => ({
    name,
    requests: s.latencies.length,
    perSecond: s.latencies.length / measuredSeconds,
    p50: percentile(s.latencies, 0.5),
    p99: percentile(s.latencies, 0.99),
    images: s.images,
    errors: s.errors,
    errorSamples: s.errorSamples,
  }));
  const all = [...stats.values()].flatMap((s) => s.latencies);
  const errors = rows.reduce((sum, r) => sum + r.errors, 0);
  const total = {
    name: 'all',
    requests: counted,
    perSecond: counted / measuredSeconds,
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    images: rows.reduce((sum, r) => sum + r.images, 0),
    errors,
  };
  const rss = { startMB: rssStart / 2 ** 20, endMB: rssEnd / 2 ** 20, ratio: rssEnd / rssStart };

  const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '');
  const table = [
    ['operation', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'images', 'errors'],
    ...[...rows, total].map((r) => [r.name, String(r.requests), fmt(r.perSecond, 1), fmt(r.p50), fmt(r.p99), String(r.images), String(r.errors)]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log(table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n'));
  console.log(
    `server RSS after GC: ${fmt(rss.startMB, 1)} MB warm → ${fmt(rss.endMB, 1)} MB at the end (${fmt(rss.ratio, 2)}×; target flat ≤ 1.20×)` +
      `${rss.ratio > 1.2 ? '  ✗ MISSED' : ''}`,
  );
  console.log(`errors: ${errors} (target 0)${errors > 0 ? '  ✗ MISSED' : ''}`);
  for (const r of rows) for (const sample of r.errorSamples) console.log(`  ${r.name}: ${sample}`);
  writeFileSync(
    `${here}/load-results.json`,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        clients: CLIENTS,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        rows,
        total,
        rss,
      },
      null,
      2,
    )}\n`,
  );
  process.exitCode = errors > 0 || rss.ratio > 1.2 ? 1 : 0;
}

// ---- operations: each returns the number of images received ---------------------------------------------------
const PROMPTS = ['a paper boat on a pond', 'a lighthouse at dusk', 'a fox in the snow', 'a teapot on a table'];
const prompt = () => PROMPTS[Math.floor(Math.random() * PROMPTS.length)];

const MUTATION = /* GraphQL */ `
  mutation Load($input: GenerateImagesInput!) {
    generateImages(input: $input) { model images { index url width height error { code } } usage { generatedImages } }
  }
`;
const SUBSCRIPTION = /* GraphQL */ `
  subscription Load($input: GenerateImagesInput!) {
    imageGeneration(input: $input) { __typename ... on ImageGenerated { image { index url } } }
  }
`;

async function graphqlMutation(url, headers, signal) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { ...headers, accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: MUTATION, variables: { input: { prompt: prompt(), size: '2K', watermark: false } } }),
    signal,
  });
  const body = await response.json();
  if (!response.ok || body.errors) throw new Error(`mutation: HTTP ${response.status} ${JSON.stringify(body.errors ?? body).slice(0, 120)}`);
  const images = body.data.generateImages.images;
  if (images.length !== 1 || !images[0].url) throw new Error('mutation: no image');
  return images.length;
}

async function graphqlSubscription(url, headers, signal) {
  const count = 2 + Math.floor(Math.random() * 2);
  const input = { prompt: `a series of ${count} images: ${prompt()}`, size: '2K', sequential: true, maxImages: count };
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({ query: SUBSCRIPTION, variables: { input } }),
    signal,
  });
  if (!response.ok) throw new Error(`subscription: HTTP ${response.status}`);
  let images = 0;
  for await (const event of sseEvents(response)) {
    if (event.event === 'complete') break;
    const payload = JSON.parse(event.data || '{}');
    if (payload.errors) throw new Error(`subscription: ${JSON.stringify(payload.errors).slice(0, 120)}`);
    if (payload.data?.imageGeneration?.__typename === 'ImageGenerated') images++;
  }
  if (images !== count) throw new Error(`subscription: ${images} of ${count} images`);
  return images;
}

async function routeStream(url, headers, signal) {
  const count = 2;
  const response = await fetch(`${url}/api/seedream`, {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({
      prompt: `a series of ${count} images: ${prompt()}`,
      size: '2K',
      stream: true,
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: count },
    }),
    signal,
  });
  if (!response.ok) throw new Error(`route: HTTP ${response.status} ${(await response.text()).slice(0, 120)}`);
  let images = 0;
  let completed = false;
  for await (const event of sseEvents(response)) {
    if (!event.data) continue;
    const payload = JSON.parse(event.data);
    const type = event.event || payload.type;
    if (/error/.test(type ?? '')) throw new Error(`route: ${event.data.slice(0, 120)}`);
    if (/image/.test(type ?? '') && !/completed|done/.test(type)) images++;
    if (/completed|done/.test(type ?? '')) completed = true;
  }
  if (!completed || images !== count) throw new Error(`route: ${images} of ${count} images, completed ${completed}`);
  return images;
}

/** A minimal SSE reader for the load clients (the kit's own transports are measured elsewhere). */
async function* sseEvents(response) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
    let split;
    while ((split = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      const event = { event: '', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event.event = line.slice(6).trim();
        else if (line.startsWith('data:')) event.data += (event.data ? '\n' : '') + line.slice(5).trimStart();
      }
      if (event.event || event.data) yield event;
    }
  }
}

// ---- helpers --------------------------------------------------------------------------------------------------
function weightedPicker(items) {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  return () => {
    let roll = Math.random() * total;
    for (const item of items) if ((roll -= item.weight) < 0) return item;
    return items[items.length - 1];
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextMessage(child, key) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message && key in message) {
        child.off('message', onMessage);
        resolve(message[key]);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function requestRss(child) {
  child.send('rss');
  return nextMessage(child, 'rss');
}

// Last: the operations above are `const`s, which must exist before the clients start.
if (process.argv[2] === '--server') await runServer();
else if (INSTANCES > 1) {
  const { runInstances } = await import('./lib/load-instances.mjs');
  process.exitCode = await runInstances({ instances: INSTANCES, clients: CLIENTS, seconds: SECONDS });
} else await runLoad();
