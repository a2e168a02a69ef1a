/** The local-emulator backend on its own: lazy start, clean close, and a restart after close. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createLocalEmulatorBackend } from '../src/generate/backend.js';
import { buildRequest } from '../src/generate/request.js';

describe('local emulator backend', () => {
  it('starts on the first generation, stops on close, and starts again when needed', async () => {
    const warnings: string[] = [];
    const backend = createLocalEmulatorBackend({ timeout: undefined, client: undefined, onWarning: (label) => void warnings.push(label) });
    const request = await buildRequest({ prompt: 'a quiet harbour', model: 'doubao-seedream-3-0-t2i-250415', size: '512x512' }, 'harbour', {
      root: process.cwd(),
      defaults: {},
      defaultModel: 'doubao-seedream-3-0-t2i-250415',
    });
    const signal = new AbortController().signal;
    const first = await backend.generate(request, signal);
    await backend.close();
    const second = await backend.generate(request, signal);
    await backend.close();
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(await sharp(first).metadata()).toMatchObject({ width: 512, height: 512, format: 'jpeg' });
    expect(backend.source).toBe('emulator');
    expect(warnings).toEqual([]);
  });
});
