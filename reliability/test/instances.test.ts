/**
 * N instances behave as one (issue: generations that survive). Three playground server processes on one real
 * Redis (Debian's redis-server on a free loopback port) and one emulator, behind a small round-robin proxy that
 * this test starts: consecutive requests land on different instances. The emulator's request log proves how many
 * upstream (paid) requests were made.
 *
 * - a job submitted through one instance is resumed through another and replays every image exactly once;
 * - a per-caller budget holds across instances under concurrent submits;
 * - an idempotent retry through another instance makes one upstream request;
 * - a disconnect mid-series, then a reconnect: the gallery ends complete, one upstream request;
 * - SIGTERM on the instance running a job: the job completes; kill -9: it ends `interrupted` with its images so
 *   far, and no second upstream request is ever sent;
 * - Redis restarted mid-run: typed 503 `unavailable` answers while it is gone, and the instances recover by
 *   themselves;
 * - another caller's job id is 404 everywhere (route, GraphQL, stored images).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@seedream-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../packages/redis/test/redis-server.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/playground-instance.mjs', import.meta.url));
const MODEL = 'doubao-seedream-4-0-250828';
const SECRET = 'multi-instance-test-secret-0123456789';
const LATENCY = 350; // per image: a 4-image series lasts about 1.5 s

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

let redis: RedisServer;
let emulator: Emulator;
let proxy: http.Server;
let base: string;
let workDir: string;
const instances: Instance[] = [];

async function startInstance(name: string, extra: Record<string, unknown> = {}): Promise<Instance> {
  const playground = {
    distDir: workDir,
    imageDir: join(workDir, 'images'),
    emulatorURL: emulator.url,
    redisURL: redis.url,
    sessionSecret: SECRET,
    allowedHosts: [new URL(base).host],
    budget: { perCaller: { images: 12, windowSeconds: 3600 }, global: { images: 1000, windowSeconds: 3600 } },
    jobs: { instanceId: name, heartbeatMs: 250, staleAfterMs: 1500 },
    ...extra,
  };
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, PLAYGROUND_INSTANCE: JSON.stringify({ playground, graceMs: 20_000 }), COMETAPI_KEY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`instance ${name} exited with ${code} before listening`)));
  });
  return { name, url: JSON.parse(line).url, child, exited };
}

/** Round robin over the live instances; a refused connection (a stopped instance) goes to the next one. */
function startProxy(): Promise<http.Server> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => forward(Buffer.concat(body), 0));
    function forward(payload: Buffer, attempt: number) {
      const live = instances.filter((instance) => instance.child.exitCode === null && instance.child.signalCode === null);
      const target = live[next++ % Math.max(1, live.length)];
      if (!target || attempt > instances.length) {
        res.writeHead(502).end();
        return;
      }
      const upstream = http.request(new URL(req.url ?? '/', target.url), { method: req.method, headers: req.headers, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-instance': target.name });
        answer.pipe(res);
      });
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (!res.headersSent && error.code === 'ECONNREFUSED') forward(payload, attempt + 1);
        else res.destroy();
      });
      res.on('close', () => upstream.destroy());
      upstream.end(payload);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'seedream-instances-'));
  writeFileSync(join(workDir, 'index.html'), '<!doctype html><title>playground (stand-in)</title>');
  [redis, emulator] = await Promise.all([startRedisServer(), startEmulator({ port: 0, host: '127.0.0.1', latency: LATENCY })]);
  proxy = await startProxy();
  base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  instances.push(...(await Promise.all(['a', 'b', 'c'].map((name) => startInstance(name)))));
}, 60_000);

afterAll(async () => {
  for (const instance of instances) instance.child.kill('SIGKILL');
  await Promise.all(instances.map((instance) => instance.exited));
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await emulator?.close();
  await redis?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

// ── a browser-like client through the proxy ──

interface Answer {
  status: number;
  instance: string;
  job: string | undefined;
  body: string;
}

function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<Answer> {
  return fetch(new URL(path, base), { method: init.method ?? 'GET', headers: init.headers, body: init.body, signal: init.signal }).then(async (response) => ({
    status: response.status,
    instance: response.headers.get('x-instance') ?? '',
    job: response.headers.get('x-seedream-job') ?? undefined,
    body: await response.text(),
  }));
}

/** A visit: GET / hands out a signed session, valid on every instance. */
async function visit(): Promise<Record<string, string>> {
  const response = await fetch(new URL('/', base));
  const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  return { cookie, origin: base };
}

const json = (session: Record<string, string>, extra: Record<string, string> = {}) => ({ ...session, 'content-type': 'application/json', ...extra });
/** The emulator makes as many images as the prompt says (up to max_images). */
const series = (count: number, subject: string) => ({
  prompt: `a series of ${count} images of ${subject}`,
  model: MODEL,
  size: '1024x1024',
  sequential_image_generation: 'auto',
  sequential_image_generation_options: { max_images: count },
  stream: true,
});

function events(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text.split('\n\n').flatMap((block) => {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    return event && data ? [{ event, data: JSON.parse(data) as Record<string, unknown> }] : [];
  });
}

/** Starts a streamed series and leaves after the first image (the tab closes); resolves with the job id and where it runs. */
async function startAndLeave(session: Record<string, string>, body: unknown, extra: Record<string, string> = {}): Promise<{ jobId: string; instance: string }> {
  const controller = new AbortController();
  const response = await fetch(new URL('/api/seedream', base), {
    method: 'POST',
    headers: json(session, { accept: 'text/event-stream', ...extra }),
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes('event: image')) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return { jobId: response.headers.get('x-seedream-job')!, instance: response.headers.get('x-instance')! };
}

const generationsFor = (prompt: string) => emulator.log.generations().filter((entry) => (entry.body as { prompt?: string } | undefined)?.prompt === prompt);
const instanceNamed = (name: string) => instances.find((instance) => instance.name === name)!;

describe('three instances on one Redis behind a round-robin proxy', () => {
  it('a job submitted through one instance is resumed through another and replays every image exactly once', async () => {
    const session = await visit();
    const body = series(4, 'lighthouses, resumed elsewhere');
    const { jobId, instance } = await startAndLeave(session, body);
    const resumed = await request(`/api/seedream/jobs/${jobId}`, { headers: session });
    expect(resumed.instance).not.toBe(instance);
    const replay = events(resumed.body);
    expect(replay.map((e) => e.event)).toEqual(['job', 'image', 'image', 'image', 'image', 'done']);
    expect(replay.filter((e) => e.event === 'image').map((e) => e.data.index)).toEqual([0, 1, 2, 3]);
    // Each image is served by any instance (stored once, shared folder), to its owner only.
    const url = replay[1]!.data.url as string;
    const served = await Promise.all([0, 1, 2].map(() => request(url, { headers: session })));
    expect(new Set(served.map((answer) => answer.instance)).size).toBe(3);
    expect(served.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(generationsFor(body.prompt)).toHaveLength(1);
  });

  it('a per-caller budget holds across instances under concurrent submits', async () => {
    const session = await visit();
    const prompt = 'budget across instances: one fox';
    const answers = await Promise.all(
      Array.from({ length: 18 }, () =>
        request('/api/seedream', {
          method: 'POST',
          headers: json(session, { accept: 'application/json' }),
          body: JSON.stringify({ prompt, model: MODEL, size: '1024x1024' }),
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(new Set(answers.map((answer) => answer.instance)).size).toBe(3);
    expect(statuses.filter((status) => status === 200)).toHaveLength(12);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
    expect(generationsFor(prompt)).toHaveLength(12);
  });

  it('an idempotent retry through another instance attaches to the job: one upstream request', async () => {
    const session = await visit();
    const body = series(3, 'boats, retried elsewhere');
    const headers = json(session, { accept: 'text/event-stream', 'idempotency-key': 'retry-across-instances' });
    const first = await startAndLeave(session, body, { 'idempotency-key': 'retry-across-instances' });
    const retry = await request('/api/seedream', { method: 'POST', headers, body: JSON.stringify(body) });
    expect(retry.instance).not.toBe(first.instance);
    expect(retry.job).toBe(first.jobId);
    expect(events(retry.body).map((e) => e.event)).toEqual(['job', 'image', 'image', 'image', 'done']);
    expect(generationsFor(body.prompt)).toHaveLength(1);
  });

  it('a disconnect mid-series, then a reconnect: the gallery ends complete with one upstream request', async () => {
    const session = await visit();
    const body = series(4, 'kites, after a disconnect');
    const { jobId } = await startAndLeave(session, body);
    await new Promise((resolve) => setTimeout(resolve, 2 * LATENCY)); // gone for a while; the job goes on
    const back = await request(`/api/seedream/jobs/${jobId}`, { headers: { ...session, accept: 'application/json' } });
    const view = JSON.parse(back.body);
    const final = view.state === 'running' ? events((await request(`/api/seedream/jobs/${jobId}`, { headers: session })).body) : [];
    const images =
      view.state === 'running' ? final.filter((e) => e.event === 'image').map((e) => e.data.index) : view.images.map((i: { index: number }) => i.index);
    expect(images).toEqual([0, 1, 2, 3]);
    expect(generationsFor(body.prompt)).toHaveLength(1);
    expect(generationsFor(body.prompt)[0]!.aborted).toBeFalsy();
  });

  it('cancels through any instance end their jobs cancelled, whatever the running instance was doing (storing an image)', async () => {
    const sessions = await Promise.all(Array.from({ length: 12 }, () => visit())); // each within its own budget
    const started = await Promise.all(sessions.map((session, i) => startAndLeave(session, series(4, `cancelled kites ${i}`))));
    const answers = await Promise.all(started.map(({ jobId }, i) => request(`/api/seedream/jobs/${jobId}`, { method: 'DELETE', headers: sessions[i]! })));
    const states = answers.map((answer) => JSON.parse(answer.body).state);
    expect(states.filter((state) => state !== 'cancelled' && state !== 'succeeded')).toEqual([]);
    expect(states.filter((state) => state === 'cancelled').length).toBeGreaterThan(0);
  });

  it("another caller's job id is 404 everywhere: route, GraphQL, stored images", async () => {
    const owner = await visit();
    const other = await visit();
    const body = series(2, 'private owls');
    const { jobId } = await startAndLeave(owner, body);
    const stored = events((await request(`/api/seedream/jobs/${jobId}`, { headers: owner })).body).find((e) => e.event === 'image')!.data.url as string;
    const graphql = (query: string, variables: unknown) =>
      request('/graphql', {
        method: 'POST',
        headers: json(other, { accept: 'application/graphql-response+json' }),
        body: JSON.stringify({ query, variables }),
      });
    const answers = await Promise.all([
      request(`/api/seedream/jobs/${jobId}`, { headers: other }),
      request(`/api/seedream/jobs/${jobId}`, { method: 'DELETE', headers: other }),
      request(stored, { headers: other }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    const query = await graphql('query ($id: ID!) { generationJob(id: $id) { state } }', { id: jobId });
    const cancel = await graphql('mutation ($id: ID) { cancelGeneration(jobId: $id) { state } }', { id: jobId });
    for (const answer of [query, cancel]) expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('NOT_FOUND');
    // The owner still sees it, complete.
    const mine = JSON.parse((await request(`/api/seedream/jobs/${jobId}`, { headers: { ...owner, accept: 'application/json' } })).body);
    expect(mine.state).toMatch(/running|succeeded/);
  });

  it('SIGTERM on the instance running a job: the job completes, followed through another instance', async () => {
    const session = await visit();
    const body = series(4, 'lanterns, during a graceful shutdown');
    const { jobId, instance } = await startAndLeave(session, body);
    const dying = instanceNamed(instance);
    dying.child.kill('SIGTERM');
    const followed = await request(`/api/seedream/jobs/${jobId}`, { headers: session });
    expect(followed.instance).not.toBe(instance);
    expect(events(followed.body).map((e) => e.event)).toEqual(['job', 'image', 'image', 'image', 'image', 'done']);
    expect(await dying.exited).toBe(0);
    expect(generationsFor(body.prompt)).toHaveLength(1);
    expect(generationsFor(body.prompt)[0]!.aborted).toBeFalsy();
    instances.splice(instances.indexOf(dying), 1, await startInstance(`${instance}2`));
  });

  it('kill -9 on the instance running a job: it ends interrupted with the images so far; nothing is sent twice', async () => {
    const session = await visit();
    const body = series(6, 'bridges, during a crash');
    const { jobId, instance } = await startAndLeave(session, body);
    const dead = instanceNamed(instance);
    dead.child.kill('SIGKILL');
    await dead.exited;
    const followed = events((await request(`/api/seedream/jobs/${jobId}`, { headers: session })).body);
    const images = followed.filter((e) => e.event === 'image').map((e) => e.data.index);
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(images.length).toBeLessThan(6);
    expect(images).toEqual([...images].sort((a, b) => (a as number) - (b as number)));
    expect(followed.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'interrupted' } } });
    const view = JSON.parse((await request(`/api/seedream/jobs/${jobId}`, { headers: { ...session, accept: 'application/json' } })).body);
    expect(view).toMatchObject({ state: 'interrupted', images: images.map((index) => expect.objectContaining({ index })) });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(generationsFor(body.prompt)).toHaveLength(1);
    instances.splice(instances.indexOf(dead), 1, await startInstance(`${instance}3`));
  });

  it('Redis restarted mid-run: typed 503 unavailable while it is gone, then every instance works again without a restart', async () => {
    const session = await visit();
    await redis.kill();
    const prompt = 'while redis is down: one heron';
    const during = await Promise.all(
      instances.map(() =>
        request('/api/seedream', {
          method: 'POST',
          headers: json(session, { accept: 'application/json' }),
          body: JSON.stringify({ prompt, model: MODEL, size: '1024x1024' }),
        }),
      ),
    );
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body).error.kind).toBe('unavailable');
      expect(answer.body).not.toMatch(/at .+\.(m?js|ts):\d+/); // no stack trace
    }
    expect(generationsFor(prompt)).toHaveLength(0);
    await redis.restart();
    const after = await retryUntil(
      async () => {
        const answers = await Promise.all(
          instances.map(() =>
            request('/api/seedream', {
              method: 'POST',
              headers: json(session, { accept: 'application/json' }),
              body: JSON.stringify({ prompt: 'redis is back', model: MODEL, size: '1024x1024' }),
            }),
          ),
        );
        return answers;
      },
      (answers) => answers.every((answer) => answer.status === 200),
    );
    expect(new Set(after.map((answer) => answer.instance)).size).toBe(3);
  });
});

/** Repeats `attempt` until `done` holds, for at most 10 s (reconnecting takes an instance a moment). */
async function retryUntil<T>(attempt: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
