// `pnpm load --instances N` (N ≥ 2): N playground instances on one Redis behind a round-robin proxy, on loopback.
// Processes: a redis-server (lib/redis-server.mjs), the emulator (lib/emulator-process.mjs: its request log counts
// upstream requests per prompt), N instances (lib/playground-instance.mjs: the playground's server module, Redis
// stores, one shared session secret, high budgets) and this process (the proxy and the clients).
// Each client visits once (its own signed session) and loops, with 0.3-1.2 s of think time, over:
// - series: a streamed series (2-3 images) with an Idempotency-Key, read to `done`;
// - single: one image as JSON (no stream) with an Idempotency-Key;
// - retry: a streamed series whose connection drops after the `job` event, then the same request with the same key
//   through another instance: it must name the same job and deliver every image once;
// - resume: a streamed series left after its first image, then `GET /api/seedream/jobs/<id>` through another
//   instance: every image once, in order, then `done`;
// - cancel: a streamed series cancelled (`DELETE /api/seedream/jobs/<id>`, any instance) after its first image.
// Prompts are tagged by group of GROUP_SIZE clients (few distinct prompts: the emulator renders each prompt's art
// once, and rendering is what a shared 2-core machine cannot afford at this rate).
// Errors: any transport failure, status other than 200 (a 429 from the budget is counted apart), or broken contract
// (wrong images, no terminal event, a key naming two jobs, a replay out of order). Duplicate upstream requests: each
// group's prompts carry its number; the emulator's log counts POSTs per prompt; a job reaches upstream before its
// first image, so (upstream requests of a group) − (distinct jobs its clients saw) is exactly the number of extra
// paid requests (a cancel only comes after the first image; a group with a failed call is reported as unattributable).
// RSS: every instance is asked for its RSS after a GC every 5 s; flat = last ≤ 1.2 × first (the first sample after
// the warm-up), as the single-instance load test judges it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readServerSentEvents } from '@seedream-kit/core/transport';
import { ask, forkReady } from './child.mjs';
import { startRedisServer } from './redis-server.mjs';
import { percentile } from './stats.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const MODEL = 'doubao-seedream-4-0-250828';
const SECRET = 'bench-load-instances-secret-0123456789abcdef';
const SUBJECTS = ['a paper boat on a pond', 'a lighthouse at dusk', 'a fox in the snow', 'a teapot on a table'];
const REQUEST_TIMEOUT = 45_000;
const RSS_EVERY_MS = 5000;
const GROUP_SIZE = 10;
const promptOf = (client) => {
  const group = Math.floor(client / GROUP_SIZE);
  return `a series of 3 images of ${SUBJECTS[group % SUBJECTS.length]} (group ${group})`;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runInstances({ instances: count, clients, seconds }) {
  const warmupSeconds = Math.min(10, Math.max(1, seconds / 6));
  const children = new Set();
  const killAll = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const workDir = mkdtempSync(join(tmpdir(), 'seedream-load-'));
  writeFileSync(join(workDir, 'index.html'), '<!doctype html><title>playground (load test)</title>');
  try {
    const redis = await startRedisServer();
    if (!redis) throw new Error('redis-server is not installed: apt-get install -y redis-server (or set REDIS_SERVER_PATH)');
    children.add(redis.child);
    // Per image ~1 s (mean 1000, sd 250): a series of 3 lasts ~3 s. Every request is logged (the duplicate count).
    const emulator = await forkReady(join(here, 'emulator-process.mjs'), [
      JSON.stringify({ latency: { mean: 1000, sd: 250 }, randomSeed: 14, logLimit: 1_000_000 }),
    ]);
    children.add(emulator.child);

    const instances = [];
    const proxy = await startProxy(instances);
    const base = `http://127.0.0.1:${proxy.address().port}`;
    const names = Array.from({ length: count }, (_, i) => String.fromCharCode(97 + i));
    instances.push(
      ...(await Promise.all(
        names.map(async (name) => {
          const options = {
            distDir: workDir,
            imageDir: join(workDir, 'images'),
            emulatorURL: emulator.url,
            redisURL: redis.url,
            sessionSecret: SECRET,
            allowedHosts: [new URL(base).host],
            // High enough for the load: a 429 would measure the budget, not the instances.
            budget: { perCaller: { images: 1_000_000, windowSeconds: 3600 }, global: { images: 100_000_000, windowSeconds: 3600 } },
            jobs: { instanceId: name },
          };
          const instance = await forkReady(join(here, 'playground-instance.mjs'), [JSON.stringify(options)], ['--expose-gc']);
          children.add(instance.child);
          return { name, ...instance, rss: [] };
        }),
      )),
    );
    console.error(
      `load: ${clients} clients for ${seconds} s through a round-robin proxy (${base}) over ${count} playground instances on Redis ` +
        `(${redis.url}), emulator ${emulator.url} (~1 s per image); load average ${loadavg()
          .map((v) => v.toFixed(2))
          .join(' ')}`,
    );

    const begin = performance.now();
    const warmEnd = begin + warmupSeconds * 1000;
    const end = begin + seconds * 1000;
    let sampling = true;
    const sampler = (async () => {
      await sleep(warmupSeconds * 1000);
      while (sampling) {
        await Promise.all(instances.map(async (instance) => instance.rss.push((await ask(instance.child, 'rss-gc', 'rss')).rss / 2 ** 20)));
        await sleep(RSS_EVERY_MS);
      }
    })();

    const operations = [
      { name: 'series', weight: 3, run: series },
      { name: 'single', weight: 2, run: single },
      { name: 'retry', weight: 1.5, run: retry },
      { name: 'resume', weight: 2, run: resume },
      { name: 'cancel', weight: 1.5, run: cancel },
    ];
    const stats = new Map(operations.map((op) => [op.name, { latencies: [], count: 0, errors: 0, budget429: 0, images: 0, errorSamples: [] }]));
    const pick = weightedPicker(operations);
    const clientStates = [];

    await Promise.all(
      Array.from({ length: clients }, async (_, index) => {
        await sleep((index * 2000) / clients); // ramp up over 2 s
        const state = { index, jobs: new Set(), keys: new Map(), failed: 0, elsewhere: 0, sameInstance: 0, session: undefined };
        clientStates.push(state);
        let keySeq = 0;
        while (performance.now() < end) {
          const op = pick();
          const entry = stats.get(op.name);
          const started = performance.now();
          const signal = AbortSignal.timeout(REQUEST_TIMEOUT);
          try {
            state.session ??= await visit(base, signal);
            const ctx = {
              base,
              signal,
              state,
              prompt: promptOf(index),
              count: 2 + (Math.random() < 0.5 ? 1 : 0),
              key: `load-${index}-${++keySeq}-${Math.random().toString(36).slice(2, 10)}`,
            };
            const images = await op.run(ctx);
            entry.count++;
            if (started >= warmEnd) {
              entry.latencies.push(performance.now() - started);
              entry.images += images;
            }
          } catch (error) {
            if (error?.budget) entry.budget429++;
            else {
              entry.errors++;
              state.failed++;
              if (entry.errorSamples.length < 3) entry.errorSamples.push(String(error?.message ?? error).slice(0, 200));
            }
            await sleep(200);
          }
          await sleep(300 + Math.random() * 900);
        }
      }),
    );
    const measuredSeconds = (performance.now() - warmEnd) / 1000;
    sampling = false;
    await sampler;
    await Promise.all(instances.map(async (instance) => instance.rss.push((await ask(instance.child, 'rss-gc', 'rss')).rss / 2 ** 20)));
    await sleep(1500); // cancelled upstream calls reach the emulator's log as ended
    const upstream = await ask(emulator.child, 'requests', 'requests');
    const load = loadavg();

    // Duplicates: per group, upstream requests (its tagged prompt) vs the distinct jobs its clients saw.
    let duplicates = 0;
    let missing = 0;
    let unattributable = 0;
    let jobs = 0;
    const groups = new Map();
    for (const state of clientStates) {
      const group = groups.get(promptOf(state.index)) ?? { jobs: 0, failed: 0 };
      group.jobs += state.jobs.size;
      group.failed += state.failed;
      groups.set(promptOf(state.index), group);
    }
    for (const [prompt, group] of groups) {
      const requests = upstream.requests[prompt] ?? 0;
      jobs += group.jobs;
      if (group.failed > 0) unattributable += Math.max(0, requests - group.jobs);
      else {
        duplicates += Math.max(0, requests - group.jobs);
        missing += Math.max(0, group.jobs - requests);
      }
    }
    duplicates += clientStates.reduce((sum, s) => sum + (s.keyConflicts ?? 0), 0); // two jobs for one key
    const idempotencyKeys = clientStates.reduce((sum, s) => sum + s.keys.size, 0);
    const resumedElsewhere = clientStates.reduce((sum, s) => sum + s.elsewhere, 0);
    const resumedSame = clientStates.reduce((sum, s) => sum + s.sameInstance, 0);
    const slowCancels = clientStates.reduce((sum, s) => sum + (s.slowCancels ?? 0), 0);
    const slowCancelMs = Math.max(0, ...clientStates.map((s) => s.slowCancelMs ?? 0));
    const stuckCancels = clientStates.reduce((sum, s) => sum + (s.stuckCancels ?? 0), 0);

    const rows = [...stats].map(([name, s]) => ({
      name,
      operations: s.count,
      measured: s.latencies.length,
      perSecond: s.latencies.length / measuredSeconds,
      p50: percentile(s.latencies, 0.5),
      p99: percentile(s.latencies, 0.99),
      images: s.images,
      errors: s.errors,
      budget429: s.budget429,
      errorSamples: s.errorSamples,
    }));
    const errors = rows.reduce((sum, r) => sum + r.errors, 0);
    const rss = instances.map((instance) => ({
      instance: instance.name,
      samples: instance.rss.length,
      firstMB: instance.rss[0],
      lastMB: instance.rss.at(-1),
      maxMB: Math.max(...instance.rss),
      ratio: instance.rss.at(-1) / instance.rss[0],
    }));
    const flat = rss.every((r) => r.ratio <= 1.2);

    const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '');
    const table = [
      ['operation', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'images', 'errors', '429'],
      ...rows.map((r) => [r.name, String(r.operations), fmt(r.perSecond, 1), fmt(r.p50), fmt(r.p99), String(r.images), String(r.errors), String(r.budget429)]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    console.log(table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n'));
    console.log(`errors: ${errors} (target 0)${errors > 0 ? '  ✗ MISSED' : ''}`);
    for (const r of rows) for (const sample of r.errorSamples) console.log(`  ${r.name}: ${sample}`);
    console.log(
      `upstream requests: ${upstream.generations} for ${jobs} jobs (${idempotencyKeys} idempotency keys); duplicates ${duplicates} (target 0)` +
        `${duplicates > 0 ? '  ✗ MISSED' : ''}; missing ${missing}; unattributable (groups with a failed call) ${unattributable}`,
    );
    console.log(`resumes and retries served by another instance: ${resumedElsewhere} of ${resumedElsewhere + resumedSame}`);
    console.log(
      `cancels whose DELETE answered while the job still ran (its 10 s wait ran out): ${slowCancels + stuckCancels}; ` +
        `${slowCancels} ended later (slowest ${fmt(slowCancelMs)} ms after the answer), ${stuckCancels} still running 30 s later (errors)`,
    );
    for (const r of rss) {
      console.log(
        `instance ${r.instance} RSS after GC: first ${fmt(r.firstMB, 1)} MB, last ${fmt(r.lastMB, 1)} MB, max ${fmt(r.maxMB, 1)} MB ` +
          `(${r.samples} samples every ${RSS_EVERY_MS / 1000} s; last/first ${fmt(r.ratio, 2)}×; target flat ≤ 1.20×)${r.ratio > 1.2 ? '  ✗ MISSED' : ''}`,
      );
    }
    console.log(`load average at the end: ${load.map((v) => v.toFixed(2)).join(' ')} (${cpus().length} CPUs, shared)`);
    writeFileSync(
      join(here, '..', 'load-instances-results.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          cpus: cpus().length,
          loadAverage: load,
          instances: count,
          clients,
          seconds,
          warmupSeconds,
          rows,
          errors,
          upstream: { requests: upstream.generations, aborted: upstream.aborted, jobs, idempotencyKeys, duplicates, missing, unattributable },
          resumes: { elsewhere: resumedElsewhere, sameInstance: resumedSame },
          cancels: { endedAfterTheAnswer: slowCancels, slowestMs: slowCancelMs, stillRunning30sLater: stuckCancels },
          rss,
        },
        null,
        2,
      )}\n`,
    );
    // The instances stop as in a deploy (SIGTERM: nothing is running any more).
    await Promise.all(
      instances.map(
        (instance) =>
          new Promise((resolve) => {
            instance.child.once('exit', resolve);
            instance.child.kill('SIGTERM');
            setTimeout(resolve, 5000).unref();
          }),
      ),
    );
    proxy.closeAllConnections();
    proxy.close();
    return errors > 0 || duplicates > 0 || !flat ? 1 : 0;
  } finally {
    killAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

// ---- the operations: each returns the number of images received -------------------------------------------------

class BudgetRefusal extends Error {
  budget = true;
}

async function visit(base, signal) {
  const response = await fetch(new URL('/', base), { signal });
  await response.arrayBuffer();
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  if (!cookie) throw new Error(`visit: no session cookie (HTTP ${response.status})`);
  return { cookie, origin: base };
}

const seriesBody = (ctx) => ({
  prompt: ctx.prompt,
  model: MODEL,
  size: '1024x1024',
  sequential_image_generation: 'auto',
  sequential_image_generation_options: { max_images: ctx.count },
  stream: true,
});

async function post(ctx, body, { key = ctx.key, accept = 'text/event-stream', avoid, signal = ctx.signal } = {}) {
  const response = await fetch(new URL('/api/seedream', ctx.base), {
    method: 'POST',
    headers: {
      ...ctx.state.session,
      'content-type': 'application/json',
      accept,
      'idempotency-key': key,
      ...(avoid ? { 'x-bench-avoid': avoid } : {}),
    },
    body: JSON.stringify(body),
    signal,
  });
  await expectOk(response, 'POST');
  return response;
}

async function expectOk(response, what) {
  if (response.status === 429) {
    await response.arrayBuffer();
    throw new BudgetRefusal('budget');
  }
  if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${(await response.text()).slice(0, 160)}`);
}

/** Records a job id for its key; a key naming a second job is a duplicate (and an error). */
function noteJob(ctx, key, jobId) {
  if (!jobId) throw new Error('no job id');
  const known = ctx.state.keys.get(key);
  if (known !== undefined && known !== jobId) {
    ctx.state.keyConflicts = (ctx.state.keyConflicts ?? 0) + 1;
    throw new Error(`idempotency key ${key} named two jobs`);
  }
  ctx.state.keys.set(key, jobId);
  ctx.state.jobs.add(jobId);
}

/** Reads SSE events (core's own reader); `until(event)` returning true stops reading and drops the connection. */
async function readEvents(response, until = () => false) {
  const events = [];
  for await (const { event, data } of readServerSentEvents(response.body)) {
    const parsed = { event, data: JSON.parse(data) };
    events.push(parsed);
    if (until(parsed)) break;
  }
  return events;
}

/** Every image of a series once, in order, then `done`. */
function checkComplete(events, count, what) {
  const images = events.filter((e) => e.event === 'image').map((e) => e.data.index);
  const last = events.at(-1)?.event;
  if (last !== 'done' || images.length !== count || images.some((index, i) => index !== i)) {
    const error = events.find((e) => e.event === 'error');
    throw new Error(`${what}: images [${images}] of ${count}, last event ${last}${error ? ` ${JSON.stringify(error.data).slice(0, 120)}` : ''}`);
  }
  return images.length;
}

async function series(ctx) {
  const response = await post(ctx, seriesBody(ctx));
  const events = await readEvents(response);
  noteJob(ctx, ctx.key, events.find((e) => e.event === 'job')?.data.id);
  return checkComplete(events, ctx.count, 'series');
}

async function single(ctx) {
  const body = { prompt: ctx.prompt, model: MODEL, size: '1024x1024' };
  const response = await post(ctx, body, { accept: 'application/json' });
  const answer = await response.json();
  noteJob(ctx, ctx.key, response.headers.get('x-seedream-job'));
  if (answer.images?.length !== 1 || !answer.images[0].url) throw new Error(`single: ${JSON.stringify(answer).slice(0, 160)}`);
  return 1;
}

async function retry(ctx) {
  const body = seriesBody(ctx);
  // The first attempt's connection drops right after the job event (a network blip before any image).
  const blip = new AbortController();
  const first = await post(ctx, body, { signal: AbortSignal.any([ctx.signal, blip.signal]) });
  const instance = first.headers.get('x-instance');
  const firstEvents = await readEvents(first, (e) => e.event === 'job');
  blip.abort();
  const jobId = firstEvents.find((e) => e.event === 'job')?.data.id;
  noteJob(ctx, ctx.key, jobId);
  // The retry, same key, through another instance: the same job, every image once.
  const second = await post(ctx, body, { avoid: instance });
  noteElsewhere(ctx, instance, second);
  const events = await readEvents(second);
  noteJob(ctx, ctx.key, events.find((e) => e.event === 'job')?.data.id);
  return checkComplete(events, ctx.count, 'retry');
}

async function resume(ctx) {
  const leave = new AbortController();
  const first = await post(ctx, seriesBody(ctx), { signal: AbortSignal.any([ctx.signal, leave.signal]) });
  const instance = first.headers.get('x-instance');
  const firstEvents = await readEvents(first, (e) => e.event === 'image');
  leave.abort();
  const jobId = firstEvents.find((e) => e.event === 'job')?.data.id;
  noteJob(ctx, ctx.key, jobId);
  const response = await fetch(new URL(`/api/seedream/jobs/${jobId}`, ctx.base), {
    headers: { ...ctx.state.session, accept: 'text/event-stream', 'x-bench-avoid': instance },
    signal: ctx.signal,
  });
  await expectOk(response, 'resume');
  noteElsewhere(ctx, instance, response);
  const events = await readEvents(response);
  return checkComplete(events, ctx.count, 'resume');
}

async function cancel(ctx) {
  const response = await post(ctx, seriesBody(ctx));
  const events = await readEvents(response, (e) => e.event === 'image');
  const jobId = events.find((e) => e.event === 'job')?.data.id;
  noteJob(ctx, ctx.key, jobId);
  const cancelled = await fetch(new URL(`/api/seedream/jobs/${jobId}`, ctx.base), {
    method: 'DELETE',
    headers: { ...ctx.state.session },
    signal: ctx.signal,
  });
  await expectOk(cancelled, 'cancel');
  let view = await cancelled.json();
  // DELETE waits up to 10 s for the job to end where it runs; past that it answers the job as it stands. Then the
  // job must still end (poll it): a slow cancel is recorded, a job that never ends is an error.
  const deleted = performance.now();
  while (view.state === 'running' && performance.now() - deleted < 30_000) {
    ctx.state.slowCancel = true;
    await sleep(500);
    const polled = await fetch(new URL(`/api/seedream/jobs/${jobId}`, ctx.base), {
      headers: { ...ctx.state.session, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    await expectOk(polled, 'cancel (poll)');
    view = await polled.json();
  }
  if (ctx.state.slowCancel) {
    ctx.state.slowCancel = false;
    if (view.state === 'running') ctx.state.stuckCancels = (ctx.state.stuckCancels ?? 0) + 1;
    else {
      ctx.state.slowCancels = (ctx.state.slowCancels ?? 0) + 1;
      ctx.state.slowCancelMs = Math.max(ctx.state.slowCancelMs ?? 0, performance.now() - deleted);
    }
  }
  // It may have finished meanwhile (the last image can land as the DELETE arrives).
  if (view.state !== 'cancelled' && view.state !== 'succeeded') throw new Error(`cancel: state ${view.state} 30 s after the DELETE answered`);
  return view.images?.filter((image) => image.url).length ?? 0;
}

function noteElsewhere(ctx, instance, response) {
  if (response.headers.get('x-instance') !== instance) ctx.state.elsewhere++;
  else ctx.state.sameInstance++;
}

// ---- the proxy and the child processes ---------------------------------------------------------------------------

/** Round robin over the instances; `x-bench-avoid: <name>` skips that instance (a resume "elsewhere"). */
function startProxy(instances) {
  let next = 0;
  const server = http.createServer((req, res) => {
    const avoid = req.headers['x-bench-avoid'];
    let target;
    for (let i = 0; i < instances.length; i++) {
      target = instances[next++ % instances.length];
      if (target.name !== avoid) break;
    }
    const headers = { ...req.headers };
    delete headers['x-bench-avoid'];
    const upstream = http.request(new URL(req.url ?? '/', target.url), { method: req.method, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-instance': target.name });
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () => resolve(server)));
}

function weightedPicker(items) {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  return () => {
    let roll = Math.random() * total;
    for (const item of items) if ((roll -= item.weight) < 0) return item;
    return items[items.length - 1];
  };
}
