/**
 * A binding in a real browser: its small Vite app (built by the binding's test, served by stack.ts on the same
 * origin as the route and the GraphQL API) in headless Chromium, on the real emulator. The app renders the
 * fixture of the DOM suite (same markup) under the framework's provider, with the transport named by the query
 * (`?transport=http|graphql`), `params=one|three` for the fixture's `go` and `{ …one, prompt: 'fast second' }`
 * for its `second`, `resume=1` for the binding's `resumeOnReload`, and a `hide` button that unmounts the fixture.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from './browser.js';
import { FAKE_KEY, startStack, type Stack } from './stack.js';
import type { TransportName } from './suite.js';

export interface BrowserApp {
  /** e.g. `vue 3.5.45` */
  name: string;
  /** Builds the app (vite build) into `outDir`. */
  build(outDir: string): Promise<void>;
}

const BOTH: TransportName[] = ['http', 'graphql'];

export function describeBrowserSuite(app: BrowserApp): void {
  let outDir: string;
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let bodies: Promise<string>[];

  beforeAll(async () => {
    browser = await launchBrowser(); // first: fails with a clear message when Chromium is missing
    outDir = await mkdtemp(join(tmpdir(), 'binding-app-'));
    await app.build(outDir);
    stack = await startStack({ staticDir: outDir });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    stack.faults.length = 0;
    stack.emulator.log.clear();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    bodies = [];
    page.on('response', (response) => {
      if (new URL(response.url()).origin === stack.origin) bodies.push(response.text().catch(() => ''));
    });
  });
  afterEach(async () => {
    await page.close();
  });

  const open = async (transport: TransportName, params: 'one' | 'three', extra = '') => {
    await page.goto(`${stack.origin}/?transport=${transport}&params=${params}${extra}`);
    await page.getByTestId('status').waitFor();
  };
  const text = async (id: string) => (await page.getByTestId(id).textContent())?.trim() ?? '';
  const until = (id: string, expected: string) =>
    page.waitForFunction(([testId, value]) => document.querySelector(`[data-testid="${testId}"]`)?.textContent?.trim() === value, [id, expected] as const);

  describe(`${app.name}: the app in Chromium against the real route, GraphQL server and emulator`, () => {
    it('the build holds no key and no server code', async () => {
      const files = await readdir(join(outDir, 'assets'));
      const code = (await Promise.all(files.filter((file) => file.endsWith('.js')).map((file) => readFile(join(outDir, 'assets', file), 'utf8')))).join('\n');
      expect(code).toContain('/api/seedream');
      expect(code).not.toContain('FAKEKEY');
      expect(code).not.toMatch(/COMETAPI_KEY|createSeedreamRoute|["'`]node:/);
    });

    it.each(BOTH)('%s: a sequential generation streams in image by image, and every image loads', async (transport) => {
      stack.faults.push('latency=600');
      await open(transport, 'three');
      await page.getByRole('button', { name: 'go', exact: true }).click();
      const seen: string[] = [];
      for (const state of ['streaming:1', 'streaming:2', 'success:3']) {
        await page.waitForFunction(
          (expected) => {
            const get = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim();
            return `${get('status')}:${get('count')}` === expected;
          },
          state,
          { polling: 20 },
        );
        seen.push(state);
      }
      expect(seen).toEqual(['streaming:1', 'streaming:2', 'success:3']);
      await page.waitForFunction(() => {
        const images = [...document.querySelectorAll<HTMLImageElement>('[data-testid="image"]')];
        return images.length === 3 && images.every((image) => image.complete && image.naturalWidth > 0);
      });
      expect(stack.emulator.log.generations()).toHaveLength(1);
    });

    it.each(BOTH)('%s: abort() mid-stream keeps the image received and aborts the upstream request', async (transport) => {
      stack.faults.push('latency=800');
      await open(transport, 'three');
      await page.getByRole('button', { name: 'go', exact: true }).click();
      await until('count', '1');
      await page.getByRole('button', { name: 'abort', exact: true }).click();
      await until('error', 'aborted|||');
      expect(await text('count')).toBe('1');
      const entry = await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.aborted === true, 5000);
      expect(entry.imagesGenerated).toBeLessThan(3);
    });

    it('the last call wins: a slow first call is aborted and never overwrites the second', async () => {
      stack.faults.push('latency=1500', 'latency=0');
      await open('http', 'one');
      await page.getByRole('button', { name: 'go', exact: true }).click();
      await stack.emulator.log.waitFor((e) => e.kind === 'generation');
      await page.getByRole('button', { name: 'second', exact: true }).click();
      await until('status', 'success');
      const first = await stack.emulator.log.waitFor(
        (e) => (e.body as { prompt?: string } | undefined)?.prompt !== 'fast second' && e.endedAt !== undefined,
        5000,
      );
      expect(first.aborted).toBe(true);
      expect(await text('prompt')).toBe('fast second');
      expect(await text('status')).toBe('success');
    });

    it('unmounting the component aborts the request in flight', async () => {
      stack.faults.push('latency=2000');
      await open('http', 'one');
      await page.getByRole('button', { name: 'go', exact: true }).click();
      await stack.emulator.log.waitFor((e) => e.kind === 'generation');
      await page.getByRole('button', { name: 'hide', exact: true }).click();
      await page.getByTestId('status').waitFor({ state: 'detached' });
      const entry = await stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 5000);
      expect(entry.aborted).toBe(true);
    });

    it('resumeOnReload: reloading the page mid-stream resumes the job, with no second paid call', async () => {
      stack.faults.push('latency=700');
      await open('http', 'three', '&resume=1');
      await page.getByRole('button', { name: 'go', exact: true }).click();
      await until('count', '1');
      await page.reload();
      await until('status', 'success');
      expect(await text('count')).toBe('3');
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>('[data-testid="image"]')].every((image) => image.complete && image.naturalWidth > 0),
      );
      const generations = stack.emulator.log.generations();
      expect(generations).toHaveLength(1);
      expect(generations[0]!.aborted).toBeFalsy();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    });

    it.each(BOTH)('%s: a refused call shows its kind (rate_limit, retryAfter), and no answer carries the key', async (transport) => {
      stack.faults.push('status=429,retry-after=7');
      await open(transport, 'one');
      await page.getByRole('button', { name: 'go', exact: true }).click();
      await until('status', 'error');
      const [kind, , retryAfter] = (await text('error')).split('|');
      expect([kind, retryAfter]).toEqual(['rate_limit', '7']);
      const answers = await Promise.all(bodies);
      expect(answers.some((answer) => /rate_limit|RATE_LIMITED/.test(answer))).toBe(true);
      expect(answers.join('')).not.toContain(FAKE_KEY);
    });
  });
}
