import { describe, expect, it } from 'vitest';
import { generateJson, metadataOf, MODEL_40, SMALL, withEmulator } from './helpers.js';

const ACCESS_DENIED = { Code: 'AccessDenied', Message: 'Access Denied', EC: '0003-00000015' };

async function resultUrl(emulator: Parameters<typeof generateJson>[0]): Promise<string> {
  const { response, json } = await generateJson(emulator, { model: MODEL_40, prompt: 'a harbour', size: SMALL, response_format: 'url' });
  expect(response.status).toBe(200);
  return json.data[0].url as string;
}

async function expectDenied(url: string) {
  const response = await fetch(url);
  expect(response.status, url).toBe(403);
  expect(response.headers.get('server')).toBe('TosServer');
  expect(await response.json()).toEqual(ACCESS_DENIED);
}

describe('result URLs', () => {
  it('look like signed TOS links and serve the image without auth', () =>
    withEmulator({}, async (emulator) => {
      const url = await resultUrl(emulator);
      const parsed = new URL(url);
      expect(parsed.origin).toBe(emulator.url);
      expect(parsed.pathname).toMatch(/^\/doubao-seedream-4-0\/[0-9a-f]{48}_0\.jpeg$/);
      const rawQuery = url.slice(url.indexOf('?') + 1);
      expect(rawQuery).toMatch(
        /^X-Tos-Algorithm=TOS4-HMAC-SHA256&X-Tos-Credential=AKLT[0-9a-f]+%2F\d{8}%2Fcn-beijing%2Ftos%2Frequest&X-Tos-Date=\d{8}T\d{6}Z&X-Tos-Expires=86400&X-Tos-Signature=[0-9a-f]{64}&X-Tos-SignedHeaders=host$/,
      );
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      const meta = await metadataOf(await response.arrayBuffer());
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 720]);
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    }));

  it('refuse a re-escaped, truncated, reordered or re-signed query with 403 AccessDenied', () =>
    withEmulator({}, async (emulator) => {
      const url = await resultUrl(emulator);
      const [base, query] = url.split('?') as [string, string];
      const params = query.split('&');
      await expectDenied(url.replace(/%2F/g, '%252F')); // double-escaped by a careless client
      await expectDenied(url.replace(/%2F/g, '/')); // unescaped
      await expectDenied(`${base}?${params[0]}`); // cut at the first &
      await expectDenied(`${base}?${params.slice(0, -1).join('&')}`);
      await expectDenied(`${base}?${[...params].reverse().join('&')}`);
      await expectDenied(url.replace(/X-Tos-Signature=([0-9a-f])/, (_, c: string) => `X-Tos-Signature=${c === 'a' ? 'b' : 'a'}`));
      await expectDenied(url.replace('X-Tos-Expires=86400', 'X-Tos-Expires=999999'));
      await expectDenied(base);
      // A path that was never issued, with a valid-looking query, is refused too (the signature covers the path).
      await expectDenied(`${base.replace(/_0\.jpeg$/, '_1.jpeg')}?${query}`);
      expect((await fetch(url)).status).toBe(200);
    }));

  it('expire after urlLifetimeMs with 403 AccessDenied', () =>
    withEmulator({ urlLifetimeMs: 300 }, async (emulator) => {
      const url = await resultUrl(emulator);
      expect(url).toContain('X-Tos-Expires=1&');
      expect((await fetch(url)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await expectDenied(url);
    }));

  it('are logged as downloads, not generations', () =>
    withEmulator({}, async (emulator) => {
      const url = await resultUrl(emulator);
      await (await fetch(url)).arrayBuffer();
      expect(emulator.log.generations()).toHaveLength(1);
      const downloads = emulator.log.downloads();
      expect(downloads).toHaveLength(1);
      expect(downloads[0]).toMatchObject({ kind: 'download', method: 'GET', status: 200 });
      expect(downloads[0]!.url).toBe(url.slice(emulator.url.length));
    }));
});
