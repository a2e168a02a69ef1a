/**
 * The built playground in headless Chromium, on its server with the in-process emulator. Every test reads the
 * emulator's request log, so what the page shows is checked against what really went over the wire.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { launchBrowser, type Browser } from '@seedream-kit/binding-harness';
import { makePngFiles } from './helpers/images.ts';
import { appDir, outputDir, type Playground, startBuiltPlayground } from './helpers/playground.ts';

let playground: Playground;
let browser: Browser;
let page: Page;
let references: { dir: string; files: string[] };

const emulator = () => playground.emulator!;
const docsDir = join(appDir, '../../docs');

beforeAll(async () => {
  browser = await launchBrowser({ name: 'playground', viewport: { width: 1280, height: 800 }, downloads: true }); // first: fails with a clear message when Chromium is missing
  playground = await startBuiltPlayground({ emulatorOptions: { latency: 0 } });
  references = await makePngFiles(['#e4572e', '#17bebb', '#ffc914', '#76b041']);
  await mkdir(outputDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await playground?.close();
  if (references) await rm(references.dir, { recursive: true, force: true });
});

beforeEach(async () => {
  emulator().setFaults(undefined);
  emulator().log.clear();
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(playground.url);
  await page.getByRole('button', { name: 'Generate' }).waitFor();
});

afterEach(async (context) => {
  await page.evaluate(() => window.scrollTo(0, 0)).catch(() => {});
  await page.screenshot({ path: join(outputDir, `${slug(context.task.name)}.png`), fullPage: true }).catch(() => {});
  await page.close();
});

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

async function setPrompt(text: string) {
  await page.getByLabel('Prompt').fill(text);
}

async function turnOnSeries(maxImages: number) {
  await page.getByText('Generate a series').click();
  await page.getByLabel('Up to').fill(String(maxImages));
}

/** Counts of gallery images seen while polling, in order, without repeats. */
async function watchGalleryCount(until: number, timeoutMs = 20_000): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const count = await page.getByTestId('gallery-image').count();
    if (seen.at(-1) !== count) seen.push(count);
    if (count >= until) return seen;
    await page.waitForTimeout(40);
  }
  throw new Error(`gallery never reached ${until} images; saw ${seen.join(', ')}`);
}

describe('playground in Chromium', () => {
  test('says it runs on the emulator, and lists models from GraphQL', async () => {
    await expect(page.getByTestId('mode-banner').innerText()).resolves.toMatch(/emulator/i);
    const options = await page.locator('#model option').allInnerTexts();
    expect(options.length).toBeGreaterThan(1);
    expect(emulator().log.generations()).toHaveLength(0);
  });

  test('generates one image, shows usage, and downloads it', async () => {
    await setPrompt('A lighthouse on a cliff at dusk, warm light');
    await page.getByRole('button', { name: 'Generate' }).click();
    const image = page.getByTestId('gallery-image').locator('img');
    await image.waitFor();
    await expect(page.getByTestId('status').innerText()).resolves.toMatch(/Done: 1 image/);
    await expect(image.getAttribute('alt')).resolves.toContain('A lighthouse on a cliff at dusk');
    await page.waitForFunction(() => ((document.querySelector('[data-testid="gallery-image"] img') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
    await expect(page.getByTestId('usage').innerText()).resolves.toMatch(/images billed\s*1/i);

    const generations = emulator().log.generations();
    expect(generations).toHaveLength(1);
    expect(generations[0]!.status).toBe(200);
    expect(generations[0]!.imagesGenerated).toBe(1);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download image 1' }).click()]);
    const saved = join(browser.downloadsDir!, download.suggestedFilename());
    await download.saveAs(saved);
    const metadata = await sharp(await readFile(saved)).metadata();
    expect(download.suggestedFilename()).toMatch(/^seedream-1\.(jpg|png)$/);
    expect(metadata.width).toBeGreaterThan(0);
  });

  test('a sequential run shows the images one after another', async () => {
    emulator().setFaults('latency=600');
    await setPrompt('A series of 4 images: a paper boat sailing through a watercolor city, from dawn to night');
    await page.getByText('Exact size').click();
    await page.getByLabel('Width').fill('2560');
    await page.getByLabel('Height').fill('1440');
    await turnOnSeries(4);
    await page.getByRole('button', { name: 'Generate' }).click();
    const counts = await watchGalleryCount(4);
    // Each image arrived on its own: the gallery went through 1, 2 and 3 before 4.
    expect(counts.filter((count) => count > 0)).toEqual([1, 2, 3, 4]);
    await page.getByText(/Done: 4 images/).waitFor();

    const [generation] = emulator().log.generations();
    expect(generation!.stream).toBe(true);
    expect(generation!.imagesGenerated).toBe(4);
    expect(generation!.body).toMatchObject({ sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 4 } });

    // The README's screenshot: every image decoded, at a desktop size, from the top of the page. Written to
    // test-output/ on every run; `UPDATE_SCREENSHOT=1 pnpm test` also refreshes the committed docs/playground.png.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid="gallery-image"] img')].every((img) => img.complete && img.naturalWidth > 0),
    );
    await page.setViewportSize({ width: 1280, height: 840 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const png = await page.screenshot();
    const small = await sharp(png).png({ palette: true, quality: 90, effort: 8 }).toBuffer();
    const screenshot = small.length < png.length ? small : png;
    await writeFile(join(outputDir, 'playground.png'), screenshot);
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await mkdir(docsDir, { recursive: true });
      await writeFile(join(docsDir, 'playground.png'), screenshot);
    }
    expect(Math.min(small.length, png.length)).toBeLessThan(400 * 1024);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(outputDir, 'phone-sequential.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(outputDir, 'dark-sequential.png') });
  });

  test('reference images from the file picker and drag and drop reach the request', async () => {
    await page.locator('#references').setInputFiles(references.files.slice(0, 3));
    await expect(page.getByTestId('reference-thumb').count()).resolves.toBe(3);
    await page.getByRole('button', { name: /Remove reference 2/ }).click();
    await expect(page.getByTestId('reference-thumb').count()).resolves.toBe(2);

    // Drop a fourth file on the drop zone, as a person dragging it from their desktop would.
    const bytes = [...(await readFile(references.files[3]!))];
    const dataTransfer = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped.png', { type: 'image/png' }));
      return transfer;
    }, bytes);
    await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer });
    await expect(page.getByTestId('reference-thumb').count()).resolves.toBe(3);
    await expect(page.getByRole('img', { name: 'Reference 3: dropped.png' }).count()).resolves.toBe(1);

    await setPrompt('The same scene, in the colours of the reference images');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByTestId('gallery-image').first().waitFor();

    const [generation] = emulator().log.generations();
    const sent = (generation!.body as { image: string[] }).image;
    expect(sent).toHaveLength(3);
    for (const image of sent) expect(image).toMatch(/^data:image\/png;base64,/);
  });

  test('Stop cancels the generation upstream', async () => {
    emulator().setFaults('latency=1500');
    await setPrompt('A set of 6 images of clouds over a mountain lake');
    await turnOnSeries(6);
    await page.getByRole('button', { name: 'Generate' }).click();
    await emulator().log.waitFor((entry) => entry.kind === 'generation');
    await page.getByTestId('gallery-image').first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Stop' }).click();

    const aborted = await emulator().log.waitFor((entry) => entry.kind === 'generation' && entry.aborted, 10_000);
    expect(aborted.imagesGenerated).toBeLessThan(6);
    await page.getByText(/Stopped after \d+ image/).waitFor();
    await expect(page.getByRole('button', { name: 'Generate' }).isEnabled()).resolves.toBe(true);
    expect(emulator().log.generations()).toHaveLength(1);
  });

  test('a reload during a series resumes the gallery: every image once, one upstream request', async () => {
    emulator().setFaults('latency=700');
    await setPrompt('A set of 4 images of paper lanterns over a river');
    await turnOnSeries(4);
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByTestId('gallery-image').first().waitFor({ timeout: 10_000 });
    await page.reload(); // the page and its stream are gone; the job goes on on the server
    const seen = await watchGalleryCount(4);
    expect(seen.at(-1)).toBe(4);
    const sources = await page
      .getByTestId('gallery-image')
      .locator('img')
      .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).src));
    expect(new Set(sources).size).toBe(4);
    for (const source of sources) expect(new URL(source).pathname).toMatch(/^\/api\/seedream\/jobs\/job_[A-Za-z0-9_-]{32}\/images\/[0-3]$/);
    await page.getByRole('button', { name: 'Generate' }).waitFor();
    const generations = emulator().log.generations();
    expect(generations).toHaveLength(1);
    expect(generations[0]!.aborted).toBeFalsy();
    // Finished: nothing left to resume on the next load.
    await expect(page.evaluate(() => sessionStorage.getItem('seedream-kit:job'))).resolves.toBeNull();
  });

  test('a bad size shows a field error and sends nothing', async () => {
    await page.getByText('Exact size').click();
    await page.getByLabel('Width').fill('100');
    await page.getByLabel('Height').fill('100');
    await page.getByRole('button', { name: 'Generate' }).click();

    const error = page.getByTestId('size-error');
    await error.waitFor();
    await expect(error.innerText()).resolves.toMatch(/\S/);
    await expect(page.getByLabel('Width').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByTestId('error-alert').getAttribute('data-kind')).resolves.toBe('validation');
    // Nothing reached the upstream API.
    expect(emulator().log.generations()).toHaveLength(0);
  });

  test('an upstream 429 shows when to retry', async () => {
    emulator().setFaults('status=429,retry-after=42');
    await setPrompt('A quiet harbour at night');
    await page.getByRole('button', { name: 'Generate' }).click();
    const alert = page.getByTestId('error-alert');
    await alert.waitFor();
    await expect(alert.getAttribute('data-kind')).resolves.toBe('rate_limit');
    await expect(alert.innerText()).resolves.toMatch(/Try again in 42 seconds/);
    const [generation] = emulator().log.generations();
    expect(generation!.status).toBe(429);
  });

  test('an image the content filter blocks is shown in its place in the series', async () => {
    emulator().setFaults('fail-image=1');
    await setPrompt('A series of 3 images of a fox in the snow');
    await turnOnSeries(3);
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByText(/Done: 2 images, 1 failed/).waitFor();
    await expect(page.getByTestId('gallery-failed').innerText()).resolves.toMatch(/Image 2 failed[\s\S]*content filter/);
    await expect(page.getByTestId('gallery-image').count()).resolves.toBe(2);
  });

  test('seed and guidance are offered only for the models that take them, and reach the request', async () => {
    await expect(page.locator('#seed').count()).resolves.toBe(0); // the default model ignores both
    await page.locator('#model').selectOption({ label: 'Seedream 3.0 (text to image, legacy)' });
    await page.getByLabel('Seed').fill('42');
    await page.getByLabel('Guidance').fill('3.5');
    await setPrompt('A lighthouse in the fog, the same picture every time');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByTestId('gallery-image').locator('img').waitFor();
    const [generation] = emulator().log.generations();
    expect(generation!.body).toMatchObject({ model: 'doubao-seedream-3-0-t2i-250415', seed: 42, guidance_scale: 3.5 });
  });

  test('the GraphQL transport generates too', async () => {
    await page.getByRole('radiogroup', { name: 'Transport' }).getByText('GraphQL').click();
    await setPrompt('A small red boat on a green lake');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByTestId('gallery-image').locator('img').waitFor();
    await page.getByText(/Done: 1 image/).waitFor();
    const generations = emulator().log.generations();
    expect(generations).toHaveLength(1);
    expect(generations[0]!.status).toBe(200);
  });
});
