// Benchmarks of @seedream-kit/emulator.
// 1. Cold placeholder rendering at 2048×2048 (PNG and JPEG): each repeat uses a new prompt, so nothing comes
//    from the art cache. Baseline: sharp encoding a flat 2048×2048 image of the same format in the same run.
// 2. Requests/s at zero latency with cached art (same request over and over, `response_format: url`).
//    Baseline: a bare node:http server answering a fixed JSON body of the same size, same client loop.
import { createServer, request, Agent } from 'node:http';
import sharp from 'sharp';
import { renderPlaceholder, startEmulator } from '@seedream-kit/emulator';
import { median } from './lib/stats.mjs';

const SIZE = 2048;

async function timeIt(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function flat(format) {
  const image = sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: '#7f9fbf' } });
  return (format === 'png' ? image.png() : image.jpeg()).toBuffer();
}

async function renderRows(repeats) {
  const rows = [];
  for (const format of ['png', 'jpeg']) {
    // Warm-up: the first few large renders of a process pay for growing the native heap (page faults);
    // both sides are measured in steady state.
    for (let i = 0; i < 6; i++) {
      await flat(format);
      await renderPlaceholder({ prompt: `warm-up ${format} ${i}`, width: SIZE, height: SIZE, format, watermark: true });
    }
    const art = [];
    const base = [];
    for (let i = 0; i < Math.max(repeats * 2, 9); i++) {
      // Interleaved so machine noise hits both alike.
      base.push(await timeIt(() => flat(format)));
      art.push(
        await timeIt(() =>
          renderPlaceholder({ prompt: `a lighthouse on a cliff, take ${i} ${Date.now()}`, width: SIZE, height: SIZE, format, watermark: true, seed: i }),
        ),
      );
    }
    const value = median(art);
    const baseline = median(base);
    rows.push({
      name: `placeholder 2048×2048 ${format.toUpperCase()} (cold)`,
      value,
      unit: 'ms',
      baseline,
      baselineName: `sharp flat ${format.toUpperCase()}`,
      ratio: value / baseline,
      target: '≤ 1.5×',
      ok: value / baseline <= 1.5,
    });
  }
  return rows;
}

/** Sends `total` POSTs with `concurrency` keep-alive connections; returns requests per second. */
async function load(url, body, headers, total, concurrency) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  let sent = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          method: 'POST',
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (sent < total) {
      sent++;
      await one();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return total / seconds;
}

async function throughputRow(repeats) {
  const emulator = await startEmulator();
  const body = JSON.stringify({
    model: 'doubao-seedream-4-0-250828',
    prompt: 'a quiet harbour at dawn',
    size: '1024x1024',
    response_format: 'url',
    watermark: true,
  });
  const headers = { authorization: 'Bearer bench' };
  const first = await fetch(`${emulator.baseURL}/images/generations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  const fixed = await first.text(); // same size as the emulator's answers (URLs have a fixed length)
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(fixed) });
      res.end(fixed);
    });
  });
  await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${bare.address().port}/v1/images/generations`;
  const total = 1500;
  const concurrency = 8;
  await load(bareUrl, body, headers, 200, concurrency); // warm-up
  await load(`${emulator.baseURL}/images/generations`, body, headers, 200, concurrency);
  const emu = [];
  const base = [];
  for (let i = 0; i < Math.max(3, Math.min(repeats, 5)); i++) {
    base.push(await load(bareUrl, body, headers, total, concurrency));
    emulator.log.clear();
    emu.push(await load(`${emulator.baseURL}/images/generations`, body, headers, total, concurrency));
  }
  await emulator.close();
  await new Promise((resolve) => bare.close(resolve));
  const value = median(emu);
  const baseline = median(base);
  return {
    name: 'emulator requests/s (0 latency, cached art)',
    value,
    unit: 'req/s',
    baseline,
    baselineName: 'bare node:http, fixed JSON',
    ratio: value / baseline,
    target: '≥ 0.25×',
    ok: value / baseline >= 0.25,
    note: `${concurrency} keep-alive connections, ${total} requests per run, ${Buffer.byteLength(fixed)}-byte bodies; the emulator also authenticates, validates, signs a URL and logs each request`,
  };
}

export async function run({ repeats }) {
  return [...(await renderRows(repeats)), await throughputRow(repeats)];
}
