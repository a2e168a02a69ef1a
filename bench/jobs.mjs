// Benchmarks of durable jobs (issue 14, "Figures"): the route of @seedream-kit/react running every generation as
// a job (createJobs, toNodeHandler), deployment-shaped. Three processes: the emulator (bench/lib/emulator-process.mjs,
// its request log and an image-event tap), the server (this file with `server`: createSeedreamRoute + createJobs,
// budgets off, node:http on loopback, core's client on createNodeFetch as a server should run it) and the clients (this bench process, node:http with one socket per stream,
// `agent: false`). Run once: `repeats` is ignored (one run holds thousands of streams for ~25 s).
//
// 1. Concurrent streaming jobs: N clients (2,000, then 500 for comparison) each POST a streamed series of 4 images
//    (the emulator spreads them over ~24 s: 5-7 s per image), ramped up over 5 s so all N are open at once.
//    - Server RSS growth: the server's RSS after a GC at idle (after a warm-up) vs its peak, sampled every 250 ms
//      during the arm (no GC: what the OS sees). Each N runs on a server process of its own, warmed up the same
//      way, so one arm's leftovers do not move the next one's baseline. Target ≤ 150 MB at N = 2,000.
//    - Image-event relay p99: the emulator stamps each image event just before writing it, the client stamps it on
//      arrival, both with process.hrtime (CLOCK_MONOTONIC, one clock for all processes), matched by the image's
//      unique URL. Baseline: the same N clients reading the emulator directly (same body, same clock, same
//      matching): what the machine and N client streams cost without the route, so the difference is the relay.
//      Target ≤ 50 ms (the value itself, at N = 2,000).
// 2. Resume latency: 200 jobs (series of 4 at 1 s per image, asked with the emulator's `latency` fault) started and
//    left after their `job` event; each is re-attached with `GET <route>/jobs/<id>` (SSE) while it runs (after its
//    first image) and again once finished. Latency = request sent → first replayed `image` event parsed (a new
//    connection each, as a reloading browser makes). 8 at a time. Baseline: a bare `GET /ping` answered by the
//    same server process, just before each resume. In-memory store (target p99 ≤ 50 ms) and @seedream-kit/redis on
//    a redis-server started here (target p99 ≤ 100 ms); skipped with a note when redis-server is missing.
import http from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ask, forkReady } from './lib/child.mjs';
import { startRedisServer } from './lib/redis-server.mjs';
import { median, percentile } from './lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const MODEL = 'doubao-seedream-4-0-250828';
const KEY = 'sk-bench-key-0000000000';
const SERIES = 4;
const IMAGE_LATENCY = { min: 5000, max: 7000 };
const FAST_FAULT = 'latency=1000';
const RAMP_MS = 5000;
const N_MAIN = Number(process.env.BENCH_JOBS_N ?? 2000);
const N_SMALL = Number(process.env.BENCH_JOBS_N_SMALL ?? 500);
const RESUMES = 200;
const RESUME_CONCURRENCY = 8;

const nowMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const body = (subject) =>
  JSON.stringify({
    prompt: `a series of ${SERIES} images of ${subject}`,
    model: MODEL,
    size: '1024x1024',
    sequential_image_generation: 'auto',
    sequential_image_generation_options: { max_images: SERIES },
    stream: true,
  });

// ---- the server process: `node jobs.mjs server '{"baseURL": …, "redisURL": …}'` ---------------------------------

async function runServer() {
  const { baseURL, redisURL } = JSON.parse(process.argv[3]);
  const { createSeedream } = await import('@seedream-kit/core');
  const { createJobs, createSpendingPolicy, MemoryJobStore } = await import('@seedream-kit/core/server');
  const { createNodeFetch } = await import('@seedream-kit/core/node');
  const { createSeedreamRoute, toNodeHandler } = await import('@seedream-kit/react/server');
  let stores;
  if (redisURL) {
    const { createRedisStores } = await import('@seedream-kit/redis');
    stores = createRedisStores({ url: redisURL, prefix: `bench-jobs-${process.pid}:` });
  }
  const store = stores?.jobs ?? new MemoryJobStore();
  let failures = 0;
  const samples = new Set();
  const onError = (error) => {
    failures++;
    if (samples.size < 3) samples.add(String(error?.message ?? error).slice(0, 120));
  };
  const policy = createSpendingPolicy({ authorize: () => 'bench', budget: false });
  const upstreamFetch = createNodeFetch();
  /** One route per emulator pace, on one store: `/api/seedream` (5-7 s per image), `/fast/api/seedream` (1 s). */
  const routeFor = (headers) => {
    // BENCH_JOBS_FETCH=builtin measures the built-in fetch instead (the comparison in the closing note).
    const fetch = process.env.BENCH_JOBS_FETCH === 'builtin' ? undefined : upstreamFetch;
    const client = createSeedream({ baseURL, apiKey: KEY, model: MODEL, ...(fetch ? { fetch } : {}), ...(headers ? { headers } : {}) });
    return toNodeHandler(createSeedreamRoute({ client, policy, jobs: createJobs({ client, store, onError }), onError }));
  };
  const slow = routeFor();
  const fast = routeFor({ 'x-emulator-fault': FAST_FAULT });
  const server = http.createServer((req, res) => {
    if (req.url === '/ping') res.end('ok');
    else if (req.url?.startsWith('/fast/')) fast(req, res);
    else slow(req, res);
  });
  server.on('clientError', (error, socket) => {
    onError(new Error(`clientError ${error.code ?? error.message}`));
    socket.destroy();
  });
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  process.on('message', (message) => {
    if (message === 'rss') {
      const { rss, heapUsed, external } = process.memoryUsage();
      process.send?.({ rss, heapUsed, external });
    } else if (message === 'rss-gc') {
      globalThis.gc?.();
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      process.send?.({ rss, heapUsed, external, arrayBuffers, failures, samples: [...samples] });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ url: `http://127.0.0.1:${server.address().port}` });
}

// ---- the bench ----------------------------------------------------------------------------------------------------

/**
 * One SSE request on its own socket. `onEvent(event, data, arrivedMs)` for each event (data parsed as JSON);
 * returning `false` closes the stream. Resolves with { status, events } at the end (or once closed).
 */
function sse(url, { method = 'GET', headers = {}, payload, onEvent = () => true } = {}) {
  return new Promise((resolve) => {
    let events = 0;
    let settled = false;
    const finish = (result) => {
      if (!settled) {
        settled = true;
        resolve({ events, ...result });
      }
    };
    const request = http.request(url, { method, headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => finish({ status: res.statusCode, error: `HTTP ${res.statusCode}` }));
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        const arrived = nowMs();
        buffer += chunk;
        let split;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (!event || data === undefined || data === '[DONE]') continue;
          events++;
          let parsed;
          try {
            parsed = JSON.parse(data);
          } catch {
            parsed = {};
          }
          if (onEvent(event, parsed, arrived) === false) {
            request.destroy();
            finish({ status: 200 });
            return;
          }
        }
      });
      res.on('end', () => finish({ status: 200 }));
      res.on('error', (error) => finish({ status: 200, error: error.message }));
    });
    request.on('error', (error) => finish({ status: 0, error: error.message }));
    request.end(payload);
  });
}

/** N concurrent streamed series, through the route or straight at the emulator; relay delays and server RSS. */
async function streamingArm({ n, direct, emulator, server }) {
  const url = direct ? `${emulator.baseURL}/images/generations` : `${server.url}/api/seedream`;
  const headers = { 'content-type': 'application/json', ...(direct ? { authorization: `Bearer ${KEY}` } : {}) };
  const imageEvent = direct ? 'image_generation.partial_succeeded' : 'image';
  await ask(emulator.child, 'taps', 'taps'); // forget earlier arms
  const baseline = direct ? undefined : (await ask(server.child, 'rss-gc', 'rss')).rss;
  let peak = baseline ?? 0;
  let atPeak;
  let sampling = true;
  const sampler = (async () => {
    while (sampling && !direct) {
      const sample = await ask(server.child, 'rss', 'rss');
      if (sample.rss >= peak) [peak, atPeak] = [sample.rss, sample];
      await sleep(250);
    }
  })();
  const arrivals = [];
  let errors = 0;
  let incomplete = 0;
  const errorSamples = new Set();
  const began = Date.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await sleep((i * RAMP_MS) / n);
      let images = 0;
      let ended = false;
      const result = await sse(url, {
        method: 'POST',
        headers,
        payload: body(direct ? 'a lighthouse at dusk (direct)' : 'a lighthouse at dusk'),
        onEvent: (event, data, arrived) => {
          if (event === imageEvent && data.url) {
            images++;
            arrivals.push([data.url, arrived]);
          } else if (event === 'done' || event === 'image_generation.completed') ended = true;
          else if (event === 'error') errorSamples.add(JSON.stringify(data).slice(0, 160));
          return true;
        },
      });
      if (result.error) {
        errors++;
        errorSamples.add(result.error);
      } else if (images !== SERIES || !ended) incomplete++;
    }),
  );
  const seconds = (Date.now() - began) / 1000;
  sampling = false;
  await sampler;
  const taps = new Map((await ask(emulator.child, 'taps', 'taps')).taps);
  const delays = [];
  for (const [imageURL, arrived] of arrivals) {
    const emitted = taps.get(imageURL);
    if (emitted !== undefined) delays.push(arrived - emitted);
  }
  const after = direct ? undefined : await ask(server.child, 'rss-gc', 'rss');
  return {
    n,
    seconds,
    images: arrivals.length,
    matched: delays.length,
    errors,
    incomplete,
    errorSamples: [...errorSamples].slice(0, 3),
    p50: percentile(delays, 0.5),
    p99: percentile(delays, 0.99),
    max: delays.length ? Math.max(...delays) : Number.NaN,
    rssBaselineMB: baseline === undefined ? undefined : baseline / 2 ** 20,
    rssPeakMB: direct ? undefined : peak / 2 ** 20,
    rssGrowthMB: direct ? undefined : (peak - baseline) / 2 ** 20,
    rssAfterGcMB: after ? after.rss / 2 ** 20 : undefined,
    serverFailures: after?.failures,
    serverSamples: after?.samples,
    heapAtPeakMB: atPeak ? atPeak.heapUsed / 2 ** 20 : undefined,
    externalAtPeakMB: atPeak ? atPeak.external / 2 ** 20 : undefined,
  };
}

/** Starts `count` fast jobs and leaves each after its `job` event; resolves with their ids. */
async function startAndLeave(server, count, subject) {
  const ids = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep(i * 5);
      await sse(`${server.url}/fast/api/seedream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        payload: body(subject),
        onEvent: (event, data) => {
          if (event === 'job') ids.push(data.id);
          return false;
        },
      });
    }),
  );
  return ids;
}

/** Re-attaches to each job (8 at a time); request → first replayed image, and a bare /ping just before each. */
async function resumeAll(server, ids) {
  const resumes = [];
  const pings = [];
  let errors = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: RESUME_CONCURRENCY }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const pingStarted = nowMs();
        await new Promise((resolve) => {
          http
            .get(`${server.url}/ping`, { agent: false }, (res) => {
              res.resume();
              res.on('end', () => {
                pings.push(nowMs() - pingStarted);
                resolve();
              });
            })
            .on('error', () => resolve());
        });
        const started = nowMs();
        let first;
        const result = await sse(`${server.url}/fast/api/seedream/jobs/${id}`, {
          onEvent: (event, data, arrived) => {
            if (event !== 'image') return true;
            if (data.index === 0) first = arrived - started;
            return false;
          },
        });
        if (result.error || first === undefined) errors++;
        else resumes.push(first);
      }
    }),
  );
  return { resumes, pings, errors };
}

async function resumeArm(server, subject) {
  const ids = await startAndLeave(server, RESUMES, subject);
  await sleep(2500); // every job has its first image (1 s per image) and is still running (4 s in all)
  const running = await resumeAll(server, ids);
  await sleep(5000); // all finished
  const finished = await resumeAll(server, ids);
  return {
    jobs: ids.length,
    resumes: [...running.resumes, ...finished.resumes],
    pings: [...running.pings, ...finished.pings],
    errors: running.errors + finished.errors,
    runningP99: percentile(running.resumes, 0.99),
    finishedP99: percentile(finished.resumes, 0.99),
  };
}

const children = new Set();
const killAll = () => {
  for (const child of children) child.kill('SIGKILL');
};

export async function run() {
  process.once('exit', killAll);
  const emulator = await forkReady(fileURLToPath(new URL('./lib/emulator-process.mjs', import.meta.url)), [
    JSON.stringify({ latency: IMAGE_LATENCY, randomSeed: 14 }),
  ]);
  children.add(emulator.child);
  /**
   * A server process warmed up (code paths loaded, the emulator's art cached) before its idle baseline. Each route
   * arm gets its own: how much memory an earlier arm left with the process (RSS is not always given back to the
   * OS) would otherwise move the next arm's baseline, and its growth, by tens of MB.
   */
  const freshServer = async () => {
    const started = await forkReady(SELF, ['server', JSON.stringify({ baseURL: emulator.baseURL })], ['--expose-gc']);
    children.add(started.child);
    await Promise.all([resumeAll(started, await startAndLeave(started, 20, 'a warm-up')), startAndLeave(started, 5, 'a lighthouse at dusk')]);
    await sleep(5000);
    return started;
  };
  let server = await freshServer();
  const rows = [];
  try {
    const arms = {};
    for (const [key, n, direct] of [
      ['directSmall', N_SMALL, true],
      ['routeSmall', N_SMALL, false],
      ['direct', N_MAIN, true],
      ['route', N_MAIN, false],
    ]) {
      if (key === 'route') {
        server.child.kill('SIGKILL');
        children.delete(server.child);
        server = await freshServer();
      }
      process.stderr.write(`\n  jobs: ${direct ? 'direct' : 'route'} N=${n} … `);
      arms[key] = await streamingArm({ n, direct, emulator, server });
      process.stderr.write(`${arms[key].seconds.toFixed(0)} s`);
    }
    process.stderr.write('\n  jobs: resumes (memory) … ');
    const memory = await resumeArm(server, 'a resumed fox (memory)');

    let redisResult;
    let redisNote;
    const redis = await startRedisServer();
    if (redis) {
      children.add(redis.child);
      process.stderr.write('resumes (redis) … ');
      const redisServer = await forkReady(SELF, ['server', JSON.stringify({ baseURL: emulator.baseURL, redisURL: redis.url })], ['--expose-gc']);
      children.add(redisServer.child);
      await resumeAll(redisServer, await startAndLeave(redisServer, 20, 'a warm-up (redis)'));
      redisResult = await resumeArm(redisServer, 'a resumed fox (redis)');
    } else redisNote = 'redis-server not installed (apt-get install -y redis-server): Redis resume not measured';

    const load = loadavg()
      .map((v) => v.toFixed(2))
      .join(' ');
    for (const [key, baseKey] of [
      ['route', 'direct'],
      ['routeSmall', 'directSmall'],
    ]) {
      const a = arms[key];
      const b = arms[baseKey];
      const main = key === 'route';
      const health =
        `${a.images} image events (${a.matched} matched to the emulator's), ${a.errors} errors, ${a.incomplete} incomplete streams` +
        `${a.errorSamples.length ? ` (${a.errorSamples.join('; ')})` : ''}; direct: ${b.images} events, ${b.errors} errors, ${b.incomplete} incomplete`;
      rows.push({
        name: `jobs: image-event relay p99, route vs emulator directly (N=${a.n} concurrent streamed series of ${SERIES}, ~24 s each)`,
        value: a.p99,
        unit: 'ms',
        baseline: b.p99,
        baselineName: 'the same clients reading the emulator directly',
        ratio: a.p99 / b.p99,
        ...(main ? { target: '≤ 50 ms', ok: a.p99 <= 50 && a.errors === 0 && a.incomplete === 0 } : {}),
        note: `p50 ${a.p50.toFixed(1)} ms (direct ${b.p50.toFixed(1)} ms), max ${a.max.toFixed(0)} ms (direct ${b.max.toFixed(0)} ms); ${health}; load average ${load}`,
      });
      rows.push({
        name: `jobs: server RSS growth, idle → peak (N=${a.n} concurrent streaming jobs, in-memory store)`,
        value: a.rssGrowthMB,
        unit: 'MB',
        baseline: a.rssBaselineMB,
        baselineName: 'idle RSS after GC',
        ratio: a.rssPeakMB / a.rssBaselineMB,
        ...(main ? { target: '≤ 150 MB', ok: a.rssGrowthMB <= 150 } : {}),
        note:
          `peak ${a.rssPeakMB.toFixed(0)} MB sampled every 250 ms ${a.heapAtPeakMB === undefined ? '' : `(V8 heap ${a.heapAtPeakMB.toFixed(0)} MB, external ${a.externalAtPeakMB.toFixed(0)} MB at the peak)`}; ` +
          `${a.rssAfterGcMB.toFixed(0)} MB after GC once all ended (the finished jobs stay in the store for resumes); ` +
          `server-side failures ${a.serverFailures}${a.serverSamples?.length ? ` (${a.serverSamples.join('; ')})` : ''}`,
      });
    }
    for (const [label, result, target] of [
      ['in-memory store', memory, 50],
      ['Redis store (@seedream-kit/redis, local redis-server)', redisResult, 100],
    ]) {
      if (!result) {
        rows.push({ name: `jobs: resume latency p99 (${label})`, ok: false, note: redisNote });
        continue;
      }
      const p99 = percentile(result.resumes, 0.99);
      const ping = percentile(result.pings, 0.99);
      rows.push({
        name: `jobs: resume latency p99, re-attach → first replayed image (${label})`,
        value: p99,
        unit: 'ms',
        baseline: ping,
        baselineName: 'bare GET /ping p99, same server',
        ratio: p99 / ping,
        target: `≤ ${target} ms`,
        ok: p99 <= target && result.errors === 0,
        note: `${result.resumes.length} resumes of ${result.jobs} jobs (running: p99 ${result.runningP99.toFixed(1)} ms; finished: p99 ${result.finishedP99.toFixed(1)} ms), median ${median(result.resumes).toFixed(1)} ms, ${RESUME_CONCURRENCY} at a time, ${result.errors} errors; load average ${load}`,
      });
    }
  } finally {
    killAll();
  }
  return rows;
}

if (process.argv[1] === SELF && process.argv[2] === 'server') await runServer();
