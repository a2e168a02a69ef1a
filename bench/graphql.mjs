// Benchmarks of @seedream-kit/graphql (see packages/graphql/README.md). Every figure is measured against a
// baseline in the same run:
// 1. Mutation throughput: requests/s of `generateImages` through graphql-yoga served by node:http on loopback
//    (the client is Node's fetch, concurrency 8), against calling core's `generate()` directly on the same
//    emulator (zero latency, cached art, url responses). Emulator, yoga server and client share one process,
//    as in bench/core.mjs. A/B rounds alternate which side runs first; the ratio is the median of per-round
//    ratios. Target ≥ 0.7×.
// 2. SSE delay: the time from the emulator writing an image event (its request log is updated synchronously
//    right after `res.write`, so a `waitFor` predicate timestamps each write) to the SSE client of the
//    `imageGeneration` subscription parsing the matching event. Emulator latency 100 ms per image, groups of 6.
//    Baseline: the same delay for core's own stream iterator reading the emulator directly. Target ≤ 50 ms median.
import http from 'node:http';

const MODEL = 'doubao-seedream-4-0-250828';
const PROMPT = 'a small paper boat on a pond';
const SIZE = '1024x1024';
const CONCURRENCY = 8;
const CALLS = 200;
const ROUNDS_PER_REPEAT = 4;
const WARMUP = 150;
const GROUP = 6;
const IMAGE_LATENCY = 100;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function throughput(call, calls = CALLS) {
  let started = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < calls) {
        started++;
        await call();
      }
    }),
  );
  return calls / ((performance.now() - begin) / 1000);
}

async function serve(yoga) {
  const server = http.createServer(yoga);
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/graphql` };
}

async function closeServer(server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

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

async function throughputRows(repeats) {
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { createSeedreamSchema } = await import('@seedream-kit/graphql');
  const { createSeedreamYoga } = await import('@seedream-kit/graphql/yoga');
  const { createYoga, createSchema } = await import('graphql-yoga');
  const { execute, parse } = await import('graphql');
  const emulator = await startEmulator({ logLimit: 50 });
  const core = createSeedream({ baseURL: emulator.baseURL, apiKey: 'sk-bench-key-0000000000', model: MODEL });
  const yoga = createSeedreamYoga({ client: core, authorize: () => true, yoga: { logging: false } });
  const { server, url } = await serve(yoga);
  // yoga's own cost on this machine: a mutation that returns a constant, no upstream call.
  const trivial = createYoga({ logging: false, schema: createSchema({ typeDefs: 'type Query { ok: Boolean } type Mutation { ping: String }', resolvers: { Mutation: { ping: () => 'pong' } } }) });
  const trivialServed = await serve(trivial);
  const schema = createSeedreamSchema({ client: core, authorize: () => true });
  // The same architecture without this package: a hand-written yoga resolver that calls core and returns the URL.
  const bare = createYoga({
    logging: false,
    schema: createSchema({
      typeDefs: 'type Query { ok: Boolean } type Mutation { generate(prompt: String!, size: String): String }',
      resolvers: { Mutation: { generate: async (_root, args, context) => (await core.generate({ prompt: args.prompt, size: args.size, response_format: 'url' }, { signal: context.request.signal })).images[0].url } },
    }),
  });
  const bareServed = await serve(bare);
  try {
    const query = 'mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { images { index url size width height } usage { generatedImages } model created } }';
    const variables = { input: { prompt: PROMPT, size: SIZE, responseFormat: 'URL' } };
    const body = JSON.stringify({ query, variables });
    const document = parse(query);
    const check = (text) => {
      const json = JSON.parse(text);
      if (!json.data?.generateImages.images[0].url) throw new Error(`no url: ${JSON.stringify(json.errors)}`);
    };
    const post = httpPoster(url, body);
    const postTrivial = httpPoster(trivialServed.url, JSON.stringify({ query: 'mutation { ping }' }));
    const postBare = httpPoster(bareServed.url, JSON.stringify({ query: `mutation { generate(prompt: "${PROMPT}", size: "${SIZE}") }` }));
    const runners = {
      core: async () => {
        const result = await core.generate({ prompt: PROMPT, size: SIZE, response_format: 'url' });
        if (!result.images[0].url) throw new Error('no url');
      },
      yogaHttp: async () => check(await post()),
      yogaFetch: async () => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body });
        check(await response.text());
      },
      execute: async () => {
        const result = await execute({ schema, document, variableValues: variables, contextValue: {} });
        if (!result.data?.generateImages.images[0].url) throw new Error('no url');
      },
      bareYoga: async () => {
        if (!JSON.parse(await postBare()).data?.generate) throw new Error('no url');
      },
      trivialYoga: async () => {
        if (!(await postTrivial()).includes('pong')) throw new Error('no pong');
      },
    };
    for (const run of Object.values(runners)) await throughput(run, WARMUP);
    const rounds = repeats * ROUNDS_PER_REPEAT;
    const compare = async (name, base = 'core') => {
      const values = [];
      const bases = [];
      const ratios = [];
      for (let round = 0; round < rounds; round++) {
        const first = round % 2 === 0;
        const a = first ? await throughput(runners[base]) : undefined;
        const value = await throughput(runners[name]);
        const b = first ? a : await throughput(runners[base]);
        values.push(value);
        bases.push(b);
        ratios.push(value / b);
      }
      return { value: median(values), unit: 'req/s', baseline: median(bases), baselineName: base === 'core' ? 'core generate() direct' : 'bare yoga resolver', ratio: median(ratios) };
    };
    const method = `concurrency ${CONCURRENCY}; ${rounds} A/B rounds of ${CALLS} calls; zero-latency emulator, yoga (node:http on loopback) and the load generator in one process on this machine; ratio = median of per-round ratios`;
    const main = await compare('yogaHttp');
    return [
      { name: 'graphql: generateImages through yoga over HTTP vs core generate()', ...main, target: '≥ 0.7×', ok: main.ratio >= 0.7, note: `${method}; load generator node:http keep-alive` },
      { name: 'graphql: same, load generator Node fetch (reference)', ...(await compare('yogaFetch')), note: 'undici on the client side costs CPU in the same process' },
      { name: 'graphql: schema executed by graphql-js in process, no HTTP (the package’s own overhead)', ...(await compare('execute')) },
      {
        name: 'graphql: same, vs a bare yoga resolver calling core (this package’s cost inside yoga)',
        ...(await compare('yogaHttp', 'bareYoga')),
        note: 'the baseline is the same architecture without this package: yoga, one resolver, core.generate, the URL back',
      },
      { name: 'graphql-yoga alone: constant mutation over HTTP, no upstream (yoga’s ceiling here)', ...(await compare('trivialYoga')), note: 'how many requests/s yoga itself serves on this machine with the same load generator' },
    ];
  } finally {
    await closeServer(server);
    await closeServer(trivialServed.server);
    await closeServer(bareServed.server);
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
  const yoga = createSeedreamYoga({ client: core, authorize: () => true, limits: { maxImagesPerOperation: GROUP }, yoga: { logging: false } });
  const { server, url } = await serve(yoga);
  const lastEntryId = () => emulator.log.generations().at(-1).id;
  const params = { prompt: `a series of ${GROUP} images of a pond`, size: SIZE, sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: GROUP } };
  const query =
    'subscription ($input: GenerateImagesInput!) { imageGeneration(input: $input) { __typename ... on ImageGenerated { image { index url } } ... on GenerationCompleted { usage { generatedImages } } } }';
  const input = { prompt: params.prompt, size: SIZE, sequential: true, maxImages: GROUP };
  try {
    const viaGraphQL = async () => {
      const received = [];
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query, variables: { input } }) });
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
        note: `${repeats} groups of ${GROUP} images, emulator latency ${IMAGE_LATENCY} ms/image; p90 ${median(graphqlDelays.slice().sort((a, b) => a - b).slice(Math.floor(graphqlDelays.length * 0.8))).toFixed(1)} ms; max ${Math.max(...graphqlDelays).toFixed(1)} ms`,
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
