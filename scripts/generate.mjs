#!/usr/bin/env node
// `pnpm generate [prompt] [--out dir] [--count n]`: generates images into a folder. With COMETAPI_KEY set it
// goes through CometAPI (paid); without it, through the embedded emulator, offline and free.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createSeedream, sniffImageType } from '@seedream-kit/core';
import { downloadImage } from '@seedream-kit/core/node';
import { startEmulator } from '@seedream-kit/emulator';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: 'generated' },
    count: { type: 'string', default: '3' },
    size: { type: 'string', default: '2048x2048' },
    model: { type: 'string' },
  },
});
const prompt = positionals.join(' ') || `A series of ${values.count} images: a paper lighthouse on a calm pastel sea`;
const outDir = resolve(values.out);

const emulator = process.env.COMETAPI_KEY ? undefined : await startEmulator();
const client = createSeedream(emulator ? { baseURL: emulator.baseURL, apiKey: 'emulator', model: values.model } : { model: values.model });
console.log(emulator ? `No COMETAPI_KEY: generating on the offline emulator (${emulator.url})` : 'Generating through CometAPI (paid)');

try {
  const stream = await client.generate({
    prompt,
    size: values.size,
    sequential_image_generation: 'auto',
    sequential_image_generation_options: { max_images: Number(values.count) },
    response_format: 'url',
    stream: true,
  });
  await mkdir(outDir, { recursive: true });
  for await (const event of stream) {
    if (event.type === 'image_generation.partial_succeeded' && event.url) {
      // Result URLs expire (24 h): copy the bytes now, URL passed byte-exact.
      const bytes = await downloadImage(event.url, emulator ? { allowHttp: true, allowPrivateNetwork: true } : {});
      const file = join(outDir, `image-${event.image_index}.${sniffImageType(bytes)?.format ?? 'jpeg'}`);
      await writeFile(file, bytes);
      console.log(`image ${event.image_index}: ${event.size} → ${file}`);
    } else if (event.type === 'image_generation.partial_failed') {
      console.log(`image ${event.image_index} failed: ${event.error.code}`);
    } else if (event.type === 'image_generation.completed') {
      console.log(`done: ${event.usage?.generated_images ?? 0} images billed`);
    }
  }
} catch (error) {
  // Typed errors carry safe messages (never the key); validation errors name every bad field.
  console.error(`${error.name}: ${error.message}`);
  process.exitCode = 1;
} finally {
  await emulator?.close();
}
