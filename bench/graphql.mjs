// Benchmarks of @seedream-kit/graphql (see packages/graphql/README.md). Every figure is measured against a
// baseline in the same run:
// 1. Mutation throughput, deployment-shaped: the zero-latency emulator (cached art, url responses) runs in its
//    own process, the yoga server (createSeedreamYoga, node:http on loopback, core client inside the resolver)
//    in another, and the load generator (node:http keep-alive, concurrency 8) in this bench process. Baseline:
//    this process calling core's `generate()` directly against the same emulator process, at the same
//    concurrency. A/B rounds alternate which side runs first, after a warmup; the ratio is the median of
//    per-round ratios. Target ≥ 0.7×. The machine has 2 cores: the yoga arm keeps 3 processes busy on them
//    (load generator, yoga, emulator), the core arm 2 (bench, emulator). Each row's note gives the CPU time
//    every process spent per call (process.cpuUsage, asked over IPC between rounds).
//    References: the same A/B series with the process that calls core pinned alone on one CPU (taskset; the
//    yoga server on one side, this process on the other), a bare yoga resolver calling core, yoga alone with a
//    constant mutation, and the earlier one-process method (emulator, yoga, core and load generator on one
//    event loop). `BENCH_GRAPHQL_PROF=<dir>` runs the yoga process under `--cpu-prof`.
// 2. SSE delay: the time from the emulator writing an image event (its request log is updated synchronously
//    right after `res.write`, so a `waitFor` predicate timestamps each write) to the SSE client of the
//    `imageGeneration` subscription parsing the matching event. Emulator latency 100 ms per image, groups of 6.
//    Emulator, yoga and client share this process (the timestamps must come from one clock). Baseline: the same
//    delay for core's own stream iterator reading the emulator directly. Target ≤ 50 ms median.
import { fork, spawnSync } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { median, throughput as measureThroughput } from './lib/stats.mjs';

const MODEL = 'doubao-seedream-4-0-250828';
const PROMPT = 'a small paper boat on a pond';
const SIZE = '1024x1024';
const CONCURRENCY = 8;
const CALLS = 200;
const ROUNDS_PER_REPEAT = 4;
const WARMUP = 2000;
const GROUP = 6;
const IMAGE_LATENCY = 100;
const KEY = 'sk-bench-key-0000000000';
const QUERY =
  'mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { images { index url size width height } usage { generatedImages } model created } }';
const VARIABLES = { input: { prompt: PROMPT, size: SIZE, responseFormat: 'URL' } };
/** The spending policy's options (required by the schema and the yoga server): every caller allowed, budgets off,
 *  as the baselines have neither (the budget's own cost is not what these rows measure, and would run out). */
const POLICY = { authorize: () => true, budget: false };

/** Closed-loop requests/s of `call` at this file's concurrency. */
const throughput = (call, calls = CALLS) => measureThroughput(call, { calls, concurrency: CONCURRENCY });

async function serve(handler) {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/graphql` };
}

async function closeServer(server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

// ---- child processes: `node graphql.mjs emulator` and `node graphql.mjs yoga <emulator baseURL>` ----

/** The yoga servers of the separate-process layout, all calling core against the emulator process. */
async function startYogaServers(baseURL) {
  const { createSeedream } = await import('@seedream-kit/core');
  const { createSeedreamYoga } = await import('@seedream-kit/graphql/yoga');
  const { createYoga, createSchema } = await import('graphql-yoga');
  const core = createSeedream({ baseURL, apiKey: KEY, model: MODEL });
  const seedream = await serve(createSeedreamYoga({ client: core, policy: POLICY, yoga: { logging: false } }));
  // The same architecture without this package: a hand-written yoga resolver that calls core and returns the URL.
  const bare = await serve(
    createYoga({
      logging: false,
      schema: createSchema({
        typeDefs: 'type Query { ok: Boolean } type Mutation { generate(prompt: String!, size: String): String }',
        resolvers: {
          Mutation: {
            generate: async (_root, args, context) =>
              (await core.generate({ prompt: args.prompt, size: args.size, response_format: 'url' }, { signal: context.request.signal })).images[0].url,
          },
        },
      }),
    }),
  );
  // yoga's own cost on this machine: a mutation that returns a constant, no upstream call.
  const trivial = await serve(
    createYoga({
      logging: false,
      schema: createSchema({ typeDefs: 'type Query { ok: Boolean } type Mutation { ping: String }', resolvers: { Mutation: { ping: () => 'pong' } } }),
    }),
  );
  return {
    urls: { seedream: seedream.url, bare: bare.url, trivial: trivial.url },
    close: () => Promise.all([seedream, bare, trivial].map((s) => closeServer(s.server))),
  };
}

async function child(role, arg) {
  let close;
  if (role === 'emulator') {
    const { startEmulator } = await import('@seedream-kit/emulator');
    const emulator = await startEmulator({ logLimit: 50 });
    close = () => emulator.close();
    process.send({ baseURL: emulator.baseURL });
  } else {
    const servers = await startYogaServers(arg);
    close = servers.close;
    process.send({ urls: servers.urls });
  }
  process.on('disconnect', () => process.exit(0)); // the bench process is gone: do not linger
  // Close cleanly on request, so `--cpu-prof` writes its profile.
  process.on('message', async (message) => {
    if (message === 'cpu') return process.send({ cpu: process.cpuUsage() });
    if (message !== 'close') return;
    await close();
    process.disconnect();
    process.exit(0);
  });
}

/** Forks this file in a role; resolves with the child and its first message. `BENCH_GRAPHQL_PROF=<dir>` profiles the yoga process. */
function spawnRole(role, ...args) {
  const profile = role === 'yoga' && process.env.BENCH_GRAPHQL_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GRAPHQL_PROF}`] : [];
  const proc = fork(fileURLToPath(import.meta.url), [role, ...args], { execArgv: profile, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('message', (message) => resolve({ proc, message }));
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`graphql bench ${role} process exited with ${code}`)));
  });
}

/** CPU time (user + system, µs) a role process has used so far. */
function cpuOf({ proc }) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (!message?.cpu) return;
      proc.off('message', onMessage);
      resolve(message.cpu.user + message.cpu.system);
    };
    proc.on('message', onMessage);
    proc.send('cpu');
  });
}

function stopRole({ proc }) {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.send('close');
  });
}

/** Sets the CPUs every thread of `pid` may run on (Linux `taskset`); false when that is not possible here. */
function pin(pid, cpus) {
  const result = spawnSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
  return result.status === 0;
}

// ---- the load generator ----

/** A light load generator: node:http with keep-alive, so the figure is about the server, not the client library. */
function httpPoster(url, body) {
  const { port, pathname } = new URL(url);
  const payload = Buffer.from(body);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const headers = { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/graphql-response+json' };
  return () =>
    new Promise((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, path: pathname, method: 'POST', agent, headers }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString()));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(payload);
    });
}

const checkGenerate = (text) => {
  const json = JSON.parse(text);
  if (!json.data?.generateImages.images[0].url) throw new Error(`no url: ${JSON.stringify(json.errors)}`);
};

/** Runs A/B rounds of `name` against `base`, alternating which goes first; medians of values and of per-round ratios.
 *  With `cpu` (a snapshot of CPU µs per process), also the CPU time each process spent per call on each side. */
function comparer(runners, rounds, cpu, place) {
  return async (name, base) => {
    const values = [];
    const bases = [];
    const ratios = [];
    const spent = { [name]: {}, [base]: {} };
    const timed = async (which) => {
      place?.(which);
      const before = cpu ? await cpu() : undefined;
      const value = await throughput(runners[which]);
      if (cpu) {
        const after = await cpu();
        for (const key of Object.keys(after)) spent[which][key] = (spent[which][key] ?? 0) + after[key] - before[key];
      }
      return value;
    };
    for (let round = 0; round < rounds; round++) {
      const first = round % 2 === 0;
      const a = first ? await timed(base) : undefined;
      const value = await timed(name);
      const b = first ? a : await timed(base);
      values.push(value);
      bases.push(b);
      ratios.push(value / b);
    }
    place?.(undefined);
    const perCall = (which) =>
      Object.entries(spent[which])
        .map(([key, us]) => `${key} ${(us / 1000 / (rounds * CALLS)).toFixed(2)}`)
        .join(', ');
    const cpuNote = cpu ? `CPU ms per call: ${name} arm ${perCall(name)}; ${base} arm ${perCall(base)}` : undefined;
    return { value: median(values), unit: 'req/s', baseline: median(bases), ratio: median(ratios), cpuNote };
  };
}

/** A row: the comparison's figures, with the CPU accounting (when measured) at the end of its note. */
function row(name, { cpuNote, ...figures }, fields) {
  const note = [fields.note, cpuNote].filter(Boolean).join('; ');
  return { name, ...figures, ...fields, ...(note ? { note } : {}) };
}

async function throughputRows(repeats) {
  const { createSeedream } = await import('@seedream-kit/core');
  const body = JSON.stringify({ query: QUERY, variables: VARIABLES });
  const rounds = repeats * ROUNDS_PER_REPEAT;
  const emulator = await spawnRole('emulator');
  let yoga;
  try {
    yoga = await spawnRole('yoga', emulator.message.baseURL);
    const { urls } = yoga.message;
    const core = createSeedream({ baseURL: emulator.message.baseURL, apiKey: KEY, model: MODEL });
    const post = httpPoster(urls.seedream, body);
    const postBare = httpPoster(urls.bare, JSON.stringify({ query: `mutation { generate(prompt: "${PROMPT}", size: "${SIZE}") }` }));
    const postTrivial = httpPoster(urls.trivial, JSON.stringify({ query: 'mutation { ping }' }));
    const runners = {
      core: async () => {
        const result = await core.generate({ prompt: PROMPT, size: SIZE, response_format: 'url' });
        if (!result.images[0].url) throw new Error('no url');
      },
      yoga: async () => checkGenerate(await post()),
      bare: async () => {
        if (!JSON.parse(await postBare()).data?.generate) throw new Error('no url');
      },
      trivial: async () => {
        if (!(await postTrivial()).includes('pong')) throw new Error('no pong');
      },
    };
    for (const run of Object.values(runners)) await throughput(run, WARMUP); // JIT in every process, connections, the art cache
    const cpu = async () => {
      const [emulatorCpu, yogaCpu] = await Promise.all([cpuOf(emulator), cpuOf(yoga)]);
      const own = process.cpuUsage();
      return { 'load generator': own.user + own.system, yoga: yogaCpu, emulator: emulatorCpu };
    };
    const compare = comparer(runners, rounds, cpu);
    const layout = `2 cores shared by 3 processes on the yoga arm (load generator, yoga server, emulator) and 2 on the core arm (this process, emulator)`;
    const main = await compare('yoga', 'core');
    // The same A/B rounds with the process that calls core (yoga's server on one side, this process on the other)
    // alone on CPU 1 and everything else on CPU 0, as when the GraphQL server has a core of its own.
    const pids = { bench: process.pid, yoga: yoga.proc.pid, emulator: emulator.proc.pid };
    const pinnable = pin(process.pid, '0,1');
    const place = (which) => {
      const subject = which === undefined ? undefined : which === 'core' ? 'bench' : 'yoga';
      for (const [key, pid] of Object.entries(pids)) pin(pid, subject === undefined ? '0,1' : key === subject ? '1' : '0');
    };
    const pinned = pinnable ? await comparer(runners, rounds, cpu, place)('yoga', 'core') : undefined;
    return [
      row('graphql: generateImages through yoga (own process) vs core generate() direct; emulator in its own process', main, {
        baselineName: 'core generate() direct',
        target: '≥ 0.7×',
        ok: main.ratio >= 0.7,
        note: `concurrency ${CONCURRENCY}; ${WARMUP} warmup calls per side, then ${rounds} A/B rounds of ${CALLS} calls; zero-latency emulator; load generator node:http keep-alive; ${layout}; ratio = median of per-round ratios`,
      }),
      ...(pinned
        ? [
            row('graphql: same, the process calling core alone on one CPU (yoga server, or this process for core direct)', pinned, {
              baselineName: 'core generate() direct',
              note: 'taskset before each side’s round: on the yoga side the yoga server has CPU 1 and the load generator and emulator share CPU 0; on the core side this process (load generator = core client) has CPU 1 and the emulator CPU 0',
            }),
          ]
        : []),
      row('graphql: same, vs a bare yoga resolver calling core (this package’s cost inside yoga)', await compare('yoga', 'bare'), {
        baselineName: 'bare yoga resolver',
        note: 'both arms in the same separate-process layout; the baseline is yoga with its defaults, one hand-written resolver, core.generate, the URL back (yoga’s default body cap streams each body through a TransformStream; createSeedreamYoga checks Content-Length instead)',
      }),
      row('graphql-yoga alone: constant mutation, no upstream (yoga’s ceiling here) vs core generate() direct', await compare('trivial', 'core'), {
        baselineName: 'core generate() direct',
        note: 'yoga in its own process answering a constant mutation to the same load generator: how many requests/s yoga itself serves on this machine',
      }),
      ...(await oneProcessRows(rounds)),
    ];
  } finally {
    if (yoga) await stopRole(yoga);
    await stopRole(emulator);
  }
}

/** The earlier method, kept for comparison: emulator, yoga server, core client and load generator on one event loop. */
async function oneProcessRows(rounds) {
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { createSeedreamSchema } = await import('@seedream-kit/graphql');
  const { createSeedreamYoga } = await import('@seedream-kit/graphql/yoga');
  const { execute, parse } = await import('graphql');
  const emulator = await startEmulator({ logLimit: 50 });
  const core = createSeedream({ baseURL: emulator.baseURL, apiKey: KEY, model: MODEL });
  const { server, url } = await serve(createSeedreamYoga({ client: core, policy: POLICY, yoga: { logging: false } }));
  const schema = createSeedreamSchema({ client: core, policy: POLICY });
  const document = parse(QUERY);
  const jsonHeaders = new Headers({ 'content-type': 'application/json' });
  try {
    const post = httpPoster(url, JSON.stringify({ query: QUERY, variables: VARIABLES }));
    const runners = {
      core: async () => {
        const result = await core.generate({ prompt: PROMPT, size: SIZE, response_format: 'url' });
        if (!result.images[0].url) throw new Error('no url');
      },
      yoga: async () => checkGenerate(await post()),
      execute: async () => {
        // The policy authorizes a request and counts per-operation budgets on it: a fresh request-like object per call.
        const contextValue = { request: { method: 'POST', headers: jsonHeaders } };
        const result = await execute({ schema, document, variableValues: VARIABLES, contextValue });
        if (!result.data?.generateImages.images[0].url) throw new Error('no url');
      },
    };
    for (const run of Object.values(runners)) await throughput(run, WARMUP);
    const compare = comparer(runners, rounds);
    return [
      row('graphql (one process, comparison): yoga over HTTP vs core generate(), all on one event loop', await compare('yoga', 'core'), {
        baselineName: 'core generate() direct',
        note: 'the earlier method: emulator, yoga server, core client and load generator share one Node process (one core of the 2), so yoga’s work and the client’s are added on one thread; not how a GraphQL server is deployed',
      }),
      row('graphql (one process, comparison): schema executed by graphql-js, no HTTP (the package’s own overhead)', await compare('execute', 'core'), {
        baselineName: 'core generate() direct',
      }),
    ];
  } finally {
    await closeServer(server);
    await emulator.close();
  }
}

/** Timestamps of every image event the emulator writes, by request id and index. */
function recordEmissions(emulator) {
  const emitted = new Map(); // entry id → [performance.now() of each image event]
  const watch = () =>
    emulator.log
      .waitFor((entry) => {
        if (entry.kind !== 'generation' || !entry.stream) return false;
        const times = emitted.get(entry.id) ?? [];
        const images = entry.events.filter((type) => type.startsWith('image_generation.partial')).length;
        while (times.length < images) times.push(performance.now());
        emitted.set(entry.id, times);
        return false;
      }, 10 * 60_000)
      .catch(() => undefined);
  watch();
  return emitted;
}

async function sseRows(repeats) {
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { createSeedreamYoga } = await import('@seedream-kit/graphql/yoga');
  const emulator = await startEmulator({ latency: IMAGE_LATENCY });
  const emitted = recordEmissions(emulator);
  const core = createSeedream({ baseURL: emulator.baseURL, apiKey: 'sk-bench-key-0000000000', model: MODEL });
  const yoga = createSeedreamYoga({
    client: core,
    policy: { ...POLICY, limits: { maxImagesPerRequest: GROUP } },
    limits: { maxImagesPerOperation: GROUP },
    yoga: { logging: false },
  });
  const { server, url } = await serve(yoga);
  const lastEntryId = () => emulator.log.generations().at(-1).id;
  const params = {
    prompt: `a series of ${GROUP} images of a pond`,
    size: SIZE,
    sequential_image_generation: 'auto',
    sequential_image_generation_options: { max_images: GROUP },
  };
  const query =
    'subscription ($input: GenerateImagesInput!) { imageGeneration(input: $input) { __typename ... on ImageGenerated { image { index url } } ... on GenerationCompleted { usage { generatedImages } } } }';
  const input = { prompt: params.prompt, size: SIZE, sequential: true, maxImages: GROUP };
  try {
    const viaGraphQL = async () => {
      const received = [];
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables: { input } }),
      });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (!block.startsWith('event: next') || !data) continue;
          const event = JSON.parse(data.slice(5)).data?.imageGeneration;
          if (event?.__typename === 'ImageGenerated') received[event.image.index] = performance.now();
        }
      }
      const sent = emitted.get(lastEntryId());
      return received.map((at, index) => at - sent[index]);
    };
    const viaCore = async () => {
      const received = [];
      const stream = await core.generate({ ...params, stream: true });
      for await (const event of stream) if (event.type === 'image_generation.partial_succeeded') received[event.image.index] = performance.now();
      const sent = emitted.get(lastEntryId());
      return received.map((at, index) => at - sent[index]);
    };
    await viaGraphQL();
    await viaCore();
    const graphqlDelays = [];
    const coreDelays = [];
    for (let i = 0; i < repeats; i++) {
      graphqlDelays.push(...(await viaGraphQL()));
      coreDelays.push(...(await viaCore()));
    }
    const value = median(graphqlDelays);
    const baseline = median(coreDelays);
    return [
      {
        name: 'graphql: SSE delay, emulator image event → subscription client event (median)',
        value,
        unit: 'ms',
        baseline,
        baselineName: 'core stream direct',
        ratio: baseline > 0 ? value / baseline : undefined,
        target: '≤ 50 ms',
        ok: value <= 50,
        note: `${repeats} groups of ${GROUP} images, emulator latency ${IMAGE_LATENCY} ms/image; p90 ${median(
          graphqlDelays
            .slice()
            .sort((a, b) => a - b)
            .slice(Math.floor(graphqlDelays.length * 0.8)),
        ).toFixed(1)} ms; max ${Math.max(...graphqlDelays).toFixed(1)} ms`,
      },
    ];
  } finally {
    await closeServer(server);
    await emulator.close();
  }
}

export async function run({ repeats = 5 } = {}) {
  return [...(await throughputRows(repeats)), ...(await sseRows(repeats))];
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) await child(process.argv[2], process.argv[3]);
