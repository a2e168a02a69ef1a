// Benchmarks of @seedream-kit/core (see packages/core/README.md). Every figure is a ratio against a baseline
// measured in the same run:
// 1. Request overhead: requests/s of `generate()` against the emulator (zero latency, one small cached image,
//    response_format url), at a fixed concurrency of 8, next to a raw `fetch` + `JSON.parse` loop on the same
//    server (the baseline), `openai` v6 `images.generate` and `ai` v6 + `@ai-sdk/bytedance`. The emulator runs
//    in the same process (server work is part of every figure, as in the reference measurement);
//    each client runs an A/B series of short alternating rounds against its baseline. Target ≥ 0.95×.
// 2. Memory: peak RSS growth while decoding a 15-image b64_json reply of 4 MB per image (a plain node:http
//    server here serves a pre-built body of random bytes), divided by the decoded bytes; each client runs in a
//    fresh `node --expose-gc` process that samples RSS every millisecond. Target ≤ 1.5×.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { median, throughput as measureThroughput } from './lib/stats.mjs';

const MODEL = 'doubao-seedream-4-0-250828';
const PROMPT = 'a small paper boat on a pond';
const SIZE = '1024x1024';
const CONCURRENCY = 8;
const CALLS = 200;
const ROUNDS_PER_REPEAT = 4;
const WARMUP = 150;
const IMAGES = 15;
const IMAGE_BYTES = 4 * 1024 * 1024;

/** Closed-loop requests/s of `call` at this file's concurrency. */
const throughput = (call, calls = CALLS) => measureThroughput(call, { calls, concurrency: CONCURRENCY });

async function overheadRows(repeats) {
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { default: OpenAI } = await import('openai');
  const { createByteDance } = await import('@ai-sdk/bytedance');
  const { generateImage } = await import('ai');
  const emulator = await startEmulator({ logLimit: 50 });
  try {
    const { baseURL, arkBaseURL } = emulator;
    const key = 'sk-bench-key-0000000000';
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const core = createSeedream({ baseURL, apiKey: key, model: MODEL });
    const openai = new OpenAI({ baseURL, apiKey: key, maxRetries: 0 });
    const bytedance = createByteDance({ baseURL: arkBaseURL, apiKey: key });
    /** A raw `fetch` + `JSON.parse` call; `init()` adds to each request's options. */
    const rawCall =
      (init = () => undefined) =>
      async () => {
        const body = JSON.stringify({ model: MODEL, prompt: PROMPT, size: SIZE, response_format: 'url' });
        const response = await fetch(`${baseURL}/images/generations`, { method: 'POST', headers, body, ...init() });
        const json = JSON.parse(await response.text());
        if (!json.data[0].url) throw new Error('no url');
      };
    const runners = {
      // The baseline: the least a hand-written client does per call.
      raw: rawCall(),
      // Reference: the same plus the AbortSignal any client needs for a timeout or a cancel button.
      rawSignal: rawCall(() => ({ signal: new AbortController().signal })),
      // Reference: the same with `redirect: 'error'`, which spares Node's fetch a copy of the body (core does this).
      rawNoRedirect: rawCall(() => ({ redirect: 'error' })),
      core: async () => {
        const result = await core.generate({ prompt: PROMPT, size: SIZE, response_format: 'url' });
        if (!result.images[0].url) throw new Error('no url');
      },
      openai: async () => {
        const result = await openai.images.generate({ model: MODEL, prompt: PROMPT, size: SIZE, response_format: 'url' });
        if (!result.data[0].url) throw new Error('no url');
      },
      // @ai-sdk/bytedance always asks for b64_json on the Ark path; its baseline is the same request by raw fetch.
      rawB64: async () => {
        const body = JSON.stringify({ model: 'seedream-4-0-250828', prompt: PROMPT, size: SIZE, response_format: 'b64_json', watermark: false });
        const response = await fetch(`${arkBaseURL}/images/generations`, { method: 'POST', headers, body });
        const json = JSON.parse(await response.text());
        if (!json.data[0].b64_json) throw new Error('no image');
      },
      ai: async () => {
        const result = await generateImage({
          model: bytedance.image('seedream-4-0-250828'),
          prompt: PROMPT,
          size: SIZE,
          maxRetries: 0,
          providerOptions: { bytedance: { watermark: false } },
        });
        if (!result.image.uint8Array.length) throw new Error('no image');
      },
    };
    for (const name of Object.keys(runners)) await throughput(runners[name], WARMUP); // JIT, connections, the art cache
    // Each client is compared with its baseline in its own A/B series: short rounds, alternating which runs
    // first, so drift on a shared machine and the garbage one client leaves behind do not favour either side.
    // The ratio is the median of the per-round ratios.
    const rounds = repeats * ROUNDS_PER_REPEAT;
    const compare = async (client, base) => {
      const values = [];
      const bases = [];
      const ratios = [];
      for (let round = 0; round < rounds; round++) {
        const first = round % 2 === 0;
        const a = first ? await throughput(runners[base]) : undefined;
        const value = await throughput(runners[client]);
        const b = first ? a : await throughput(runners[base]);
        values.push(value);
        bases.push(b);
        ratios.push(value / b);
      }
      return { value: median(values), baseline: median(bases), ratio: median(ratios) };
    };
    const row = async (name, client, base, baselineName, target, note) => {
      const { value, baseline, ratio } = await compare(client, base);
      return { name, value, unit: 'req/s', baseline, baselineName, ratio, target, ok: target ? ratio >= 0.95 : undefined, note };
    };
    const method = `concurrency ${CONCURRENCY}; per client ${rounds} A/B rounds of ${CALLS} calls against its baseline; emulator in the same process (as in the issue's reference figures); url responses; ratio = median of per-round ratios`;
    return [
      await row('core: generate() throughput vs raw fetch + JSON.parse', 'core', 'raw', 'raw fetch', '≥ 0.95×', method),
      await row('raw fetch + an AbortSignal (reference: the cost of being abortable)', 'rawSignal', 'raw', 'raw fetch'),
      await row("raw fetch with redirect: 'error' (reference: what core's redirect mode saves Node's fetch)", 'rawNoRedirect', 'raw', 'raw fetch'),
      await row('openai v6 images.generate (comparison)', 'openai', 'raw', 'raw fetch'),
      await row(
        'ai v6 + @ai-sdk/bytedance generateImage (comparison)',
        'ai',
        'rawB64',
        'raw fetch, b64_json',
        undefined,
        'the provider always asks for b64_json, so its baseline is raw fetch of the same b64_json request',
      ),
    ];
  } finally {
    await emulator.close();
  }
}

// ---- memory ----

function buildReply() {
  const parts = [];
  for (let i = 0; i < IMAGES; i++) parts.push(`{"b64_json":"${randomBytes(IMAGE_BYTES).toString('base64')}","size":"2048x2048"}`);
  return Buffer.from(
    `{"model":"${MODEL}","created":1700000000,"data":[${parts.join(',')}],"usage":{"generated_images":${IMAGES},"output_tokens":245760,"total_tokens":245760}}`,
  );
}

const WARM_REPLY = Buffer.from(`{"model":"${MODEL}","created":1,"data":[{"b64_json":"${randomBytes(3000).toString('base64')}","size":"1x1"}]}`);

function startReplyServer(reply) {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const body = request.url.startsWith('/warm') ? WARM_REPLY : reply;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'x-request-id': 'bench' });
      response.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Child process side: decode the reply with one client, print the peak RSS growth in bytes. */
async function memoryChild(mode, origin) {
  const key = 'sk-bench-key-0000000000';
  let decode;
  if (mode === 'core') {
    const { createSeedream } = await import('@seedream-kit/core');
    decode = async (path) => {
      const client = createSeedream({ baseURL: `${origin}${path}`, apiKey: key, validation: false });
      const result = await client.generate({ model: MODEL, prompt: PROMPT, response_format: 'b64_json' });
      return result.images.map((image) => image.bytes);
    };
  } else if (mode === 'raw') {
    decode = async (path) => {
      const response = await fetch(`${origin}${path}/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const json = JSON.parse(await response.text());
      return json.data.map((item) => Buffer.from(item.b64_json, 'base64'));
    };
  } else {
    const { default: OpenAI } = await import('openai');
    decode = async (path) => {
      const client = new OpenAI({ baseURL: `${origin}${path}`, apiKey: key, maxRetries: 0 });
      const result = await client.images.generate({ model: MODEL, prompt: PROMPT, response_format: 'b64_json' });
      return result.data.map((item) => Buffer.from(item.b64_json, 'base64'));
    };
  }
  await decode('/warm'); // load the client's code paths once, as a long-running process would have
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  globalThis.gc();
  const base = process.memoryUsage.rss();
  let peak = base;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, 1);
  const images = await decode('/v1');
  sample();
  clearInterval(timer);
  const decoded = images.reduce((sum, bytes) => sum + bytes.length, 0);
  process.stdout.write(JSON.stringify({ growth: peak - base, decoded }));
}

function runMemoryChild(mode, origin) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--memory-child', mode, origin], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`memory child ${mode} exited with ${code}`))));
  });
}

async function memoryRows(repeats) {
  const server = await startReplyServer(buildReply());
  try {
    const origin = `http://127.0.0.1:${server.address().port}`;
    const modes = ['core', 'raw', 'openai'];
    const runs = Object.fromEntries(modes.map((mode) => [mode, []]));
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const mode of modes) runs[mode].push(await runMemoryChild(mode, origin));
    }
    const decoded = IMAGES * IMAGE_BYTES;
    const MB = 1024 * 1024;
    const row = (name, mode, target) => {
      for (const run of runs[mode]) if (run.decoded !== decoded) throw new Error(`${mode} decoded ${run.decoded} bytes, expected ${decoded}`);
      const growth = median(runs[mode].map((run) => run.growth));
      return {
        name,
        value: growth / MB,
        unit: 'MB',
        baseline: decoded / MB,
        baselineName: 'decoded bytes',
        ratio: growth / decoded,
        target,
        ok: target ? growth / decoded <= 1.5 : undefined,
      };
    };
    return [
      row('core: peak RSS growth / decoded bytes (15 × 4 MB b64_json)', 'core', '≤ 1.5×'),
      row('raw fetch + JSON.parse + Buffer.from (comparison)', 'raw'),
      row('openai v6 images.generate b64_json (comparison)', 'openai'),
    ];
  } finally {
    server.close();
  }
}

export async function run({ repeats = 5 } = {}) {
  return [...(await overheadRows(repeats)), ...(await memoryRows(repeats))];
}

if (process.argv[2] === '--memory-child') {
  await memoryChild(process.argv[3], process.argv[4]);
  process.exit(0);
}
