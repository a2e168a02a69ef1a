import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { generate, MODEL_40, SMALL, withEmulator } from './helpers.js';

const body = { model: MODEL_40, prompt: 'a lighthouse', size: SMALL, response_format: 'url' };

describe('authentication', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  it('answers 401 AuthenticationError without an Authorization header', async () => {
    const response = await generate(emulator, body, { key: null });
    expect(response.status).toBe(401);
    const json = (await response.json()) as any;
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^02\d{13}[0-9a-f]+$/);
    expect(json).toEqual({
      error: {
        code: 'AuthenticationError',
        message: `The API key or AK/SK in the request is missing or invalid. Request ID: ${requestId}`,
        param: '',
        type: 'Unauthorized',
      },
    });
  });

  it('rejects an empty key and a non-Bearer scheme', async () => {
    for (const authorization of ['Bearer ', 'Basic dXNlcjpwYXNz', 'sk-123']) {
      const response = await generate(emulator, body, { key: null, headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
  });

  it('accepts any non-empty key by default, on both paths', async () => {
    for (const path of ['/v1/images/generations', '/api/v3/images/generations']) {
      const response = await generate(emulator, body, { path, key: 'anything' });
      expect(response.status, path).toBe(200);
      expect(((await response.json()) as any).data).toHaveLength(1);
    }
  });

  it('answers 404 NotFound for unknown paths', async () => {
    const response = await generate(emulator, body, { path: '/v1/images/edits' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.type).toBe('NotFound');
  });

  it('answers CORS preflights so browser demos can call it', async () => {
    const response = await fetch(`${emulator.baseURL}/images/generations`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});

describe('configured keys and envelopes', () => {
  it('accepts only the configured keys', () =>
    withEmulator({ apiKeys: ['good-key'] }, async (emulator) => {
      expect((await generate(emulator, body, { key: 'good-key' })).status).toBe(200);
      const wrong = await generate(emulator, body, { key: 'bad-key' });
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as any).error.code).toBe('AuthenticationError');
    }));

  it('uses the CometAPI body for gateway errors on /v1 with envelope cometapi, Ark bodies on /api/v3', () =>
    withEmulator({ envelope: 'cometapi' }, async (emulator) => {
      const v1 = await generate(emulator, body, { key: null });
      const json = (await v1.json()) as any;
      expect(json.error.type).toBe('comet_api_error');
      expect(json.error.message).toMatch(/\(request id: 02\d+/);
      const missingModel = (await (await generate(emulator, { prompt: 'x' })).json()) as any;
      expect(missingModel.error.message).toMatch(/^model name is required/);
      const ark = (await (await generate(emulator, body, { key: null, path: '/api/v3/images/generations' })).json()) as any;
      expect(ark.error.type).toBe('Unauthorized');
      // Validation errors are the provider's, relayed as they are.
      const invalid = (await (await generate(emulator, { ...body, size: '1x1' })).json()) as any;
      expect(invalid.error).toMatchObject({ code: 'InvalidParameter', param: 'size', type: 'BadRequest' });
    }));
});
