/**
 * The API key stays on the server: a production build made while COMETAPI_KEY is set contains no trace of it, and
 * the running server never sends it to the browser.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@seedream-kit/emulator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appDir, startBuiltPlayground } from './helpers/playground.ts';

// Built from parts at run time, so the key itself appears in no file of the repository.
const fakeKey = ['sk', 'playground', 'test', randomBytes(12).toString('hex')].join('-');

let emulator: Emulator;
let outDir: string;

beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [fakeKey] });
  outDir = await mkdtemp(join(tmpdir(), 'playground-build-'));
});

afterAll(async () => {
  await emulator?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function viteBuild(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(appDir, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir'], {
      cwd: appDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('the API key never reaches the browser', () => {
  test('a build made with COMETAPI_KEY set contains no trace of the key', async () => {
    const { code, output } = await viteBuild({ ...process.env, COMETAPI_KEY: fakeKey, COMETAPI_BASE_URL: emulator.baseURL });
    expect(code, output).toBe(0);
    expect(output).not.toContain(fakeKey);

    const files = await filesUnder(outDir);
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    expect(files.some((file) => file.endsWith('index.html'))).toBe(true);
    for (const file of files) {
      const bytes = await readFile(file);
      expect(bytes.includes(fakeKey), file).toBe(false);
      expect(bytes.includes(Buffer.from(fakeKey).toString('base64')), file).toBe(false);
    }
    // The page art came from the committed cache: the build generated nothing.
    expect(emulator.log.generations()).toHaveLength(0);
  }, 90_000);

  test('the server generates with the key but never sends it, and refuses other origins', async () => {
    const playground = await startBuiltPlayground({ apiKey: fakeKey, baseURL: emulator.baseURL });
    try {
      expect(playground.mode).toBe('cometapi');
      expect(playground.emulator).toBeUndefined();
      const bodies: string[] = [];
      let cookie = '';
      for (const path of ['/', '/api/info']) {
        const response = await fetch(playground.url + path);
        cookie ||= response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
        bodies.push(await response.text());
      }
      expect(cookie).toMatch(/^seedream_session=/); // the page hands out this visit's session

      const request = (origin: string) =>
        fetch(`${playground.url}/api/seedream`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin, cookie },
          body: JSON.stringify({ model: 'doubao-seedream-4-0-250828', prompt: 'A red kite over a beach', size: '1K' }),
        });

      const foreign = await request('http://evil.example');
      expect(foreign.status).toBe(403);
      bodies.push(await foreign.text());
      expect(emulator.log.generations()).toHaveLength(0);

      const own = await request(playground.url);
      const ownBody = await own.text();
      bodies.push(ownBody);
      expect(own.status, ownBody).toBe(200);
      // The emulator only accepts fakeKey, so this generation proves the server used it.
      expect(emulator.log.generations().map((entry) => entry.status)).toEqual([200]);

      for (const body of bodies) expect(body).not.toContain(fakeKey);
    } finally {
      await playground.close();
    }
  });
});
