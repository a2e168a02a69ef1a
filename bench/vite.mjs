// Benchmarks of @seedream-kit/vite (see packages/vite/README.md). Every figure is a ratio against a baseline
// measured in the same run; builds are real `vite build`s (write: false) of generated fixture projects.
// 1. Warm build: 100 images already in the committed cache, against the same project importing the same 100
//    image files directly (`import url from './img/7.jpg'`, Vite's own asset handling). Builds alternate
//    A/B; medians. Target ≤ 1.1×. The warm builds point at a live emulator with a key and must send nothing.
// 2. Cold build: N = 24 images, concurrency C = 6, against the emulator with L = 400 ms per image; total
//    build time as a ratio to the ideal ceil(N/C)·L. Each repeat uses new prompts and an empty cache. The
//    emulator renders its art after the latency (it runs in this process, sharing the 2 cores); that render
//    is an artefact of the stand-in, not part of a real API's L, so each repeat's art is rendered into the
//    emulator's cache first (same requests, `x-emulator-fault: latency=0`). One unmeasured warm-up build
//    first. Target ≤ 1.15×.
import { cp, mkdir, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { startEmulator } from '@seedream-kit/emulator';
import seedream from '@seedream-kit/vite';
import { median } from './lib/stats.mjs';

// Small images keep the emulator's rendering out of the figures: 3.0 t2i accepts 512×512.
const MODEL = 'doubao-seedream-3-0-t2i-250415';
const SIZE = '512x512';
const WARM_IMAGES = 100;
const COLD = { images: 24, concurrency: 6, latency: 400 };
// A key for the emulator only, assembled here so no file holds a key-shaped string.
const KEY = ['bench', 'emulator', 'key'].join('-');

async function project(root, main) {
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>\n');
  await writeFile(join(root, 'src/main.js'), main);
}

async function timedBuild(root, plugins) {
  // bench/run.mjs starts node with --expose-gc: collect first, so one build does not pay for another's garbage.
  globalThis.gc?.();
  const started = performance.now();
  await build({ root, configFile: false, logLevel: 'silent', plugins, build: { write: false } });
  return performance.now() - started;
}

function imagesOption(count, tag) {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`img-${i}`, { prompt: `bench ${tag} landscape number ${i}`, model: MODEL, size: SIZE }]));
}

const namedImports = (count) => `${Array.from({ length: count }, (_, i) => `import i${i} from 'seedream:img-${i}';`).join('\n')}\n${use(count)}`;

/** The page uses every import (an unused import would be tree-shaken away, image and all). */
const use = (count) => `globalThis.images = [${Array.from({ length: count }, (_, i) => `i${i}`).join(', ')}];\n`;

async function warmRows(scratch, emulator, repeats) {
  const generated = join(scratch, 'warm-seedream');
  const plain = join(scratch, 'warm-plain');
  const images = imagesOption(WARM_IMAGES, 'warm');
  const options = { images, apiKey: KEY, baseURL: emulator.baseURL, offline: false, concurrency: 8 };
  await project(generated, namedImports(WARM_IMAGES));
  await timedBuild(generated, [seedream(options)]); // fills the cache
  const lock = JSON.parse(await readFile(join(generated, '.seedream/seedream.lock.json'), 'utf8'));
  const files = Object.values(lock.entries).map((entry) => entry.file);
  if (files.length !== WARM_IMAGES) throw new Error(`expected ${WARM_IMAGES} cached images, got ${files.length}`);

  // The same images as plain files, imported the ordinary way.
  await project(plain, `${files.map((file, i) => `import i${i} from './img/${file}';`).join('\n')}\n${use(files.length)}`);
  await mkdir(join(plain, 'src/img'));
  for (const file of files) await cp(join(generated, '.seedream', file), join(plain, 'src/img', file));

  const before = emulator.log.generations().length;
  const seedreamTimes = [];
  const plainTimes = [];
  for (let i = 0; i < 3; i++) {
    await timedBuild(plain, []);
    await timedBuild(generated, [seedream(options)]);
  }
  for (let i = 0; i < Math.max(repeats * 4, 15); i++) {
    plainTimes.push(await timedBuild(plain, []));
    seedreamTimes.push(await timedBuild(generated, [seedream(options)]));
  }
  const requests = emulator.log.generations().length - before;
  if (requests !== 0) throw new Error(`warm builds sent ${requests} generation requests`);
  const value = median(seedreamTimes);
  const baseline = median(plainTimes);
  return {
    name: `warm build, ${WARM_IMAGES} cached images`,
    value,
    unit: 'ms',
    baseline,
    baselineName: `${WARM_IMAGES} plain image imports`,
    ratio: value / baseline,
    target: '≤ 1.1×',
    ok: value / baseline <= 1.1,
    note: '0 generation requests',
  };
}

async function coldRows(scratch, emulator, repeats) {
  const { images: count, concurrency, latency } = COLD;
  const ideal = Math.ceil(count / concurrency) * latency;
  const times = [];
  for (let i = 0; i <= Math.max(repeats, 3); i++) {
    const root = join(scratch, `cold-${i}`);
    const images = imagesOption(count, `cold ${i}`);
    await project(root, namedImports(count));
    await prerender(emulator, Object.values(images));
    const before = emulator.log.generations().length;
    const time = await timedBuild(root, [seedream({ images, apiKey: KEY, baseURL: emulator.baseURL, offline: false, concurrency })]);
    const sent = emulator.log.generations().length - before;
    if (sent !== count) throw new Error(`cold build sent ${sent} generation requests, expected ${count}`);
    if (i > 0) times.push(time); // i = 0 is the warm-up
    await rm(root, { recursive: true, force: true });
  }
  const value = median(times);
  return {
    name: `cold build, N=${count} C=${concurrency} L=${latency} ms`,
    value,
    unit: 'ms',
    baseline: ideal,
    baselineName: 'ceil(N/C)·L',
    ratio: value / ideal,
    target: '≤ 1.15×',
    ok: value / ideal <= 1.15,
    note: 'whole vite build; emulator art pre-rendered',
  };
}

/** Renders the art of these images into the emulator's cache (the same requests, without the latency). */
async function prerender(emulator, specs) {
  await Promise.all(
    specs.map(async (spec) => {
      const response = await fetch(`${emulator.baseURL}/images/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-emulator-fault': 'latency=0' },
        body: JSON.stringify({ ...spec, watermark: false, response_format: 'b64_json', sequential_image_generation: 'disabled' }),
      });
      if (!response.ok) throw new Error(`pre-render failed: ${response.status}`);
      await response.arrayBuffer();
    }),
  );
}

export async function run({ repeats = 5 } = {}) {
  const scratch = await mkdtemp(join(tmpdir(), 'seedream-vite-bench-'));
  const warmEmulator = await startEmulator({ apiKeys: [KEY] });
  const coldEmulator = await startEmulator({ apiKeys: [KEY], latency: COLD.latency });
  try {
    return [await warmRows(scratch, warmEmulator, repeats), await coldRows(scratch, coldEmulator, repeats)];
  } finally {
    await warmEmulator.close();
    await coldEmulator.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
