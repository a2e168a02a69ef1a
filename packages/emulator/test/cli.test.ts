import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseLatency } from '../src/cli.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

let child: ChildProcess | undefined;

function startCli(args: string[]): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI printed no URL: ${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, output: () => output });
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => reject(new Error(`CLI exited with ${code}: ${output}`)));
  });
}

beforeAll(() => {
  // The suite normally runs after the package build (turbo); build the CLI when run on its own.
  if (!existsSync(cli)) execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore', timeout: 60_000 });
}, 90_000);

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

describe('seedream-emulator CLI', () => {
  it('starts on a free port, prints its URL and serves generations', async () => {
    const { url } = await startCli(['--port', '0', '--api-key', 'cli-key', '--faults', 'latency=1']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const post = (key: string) =>
      fetch(`${url}/v1/images/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'doubao-seedream-4-0-250828', prompt: 'cli', size: '1280x720' }),
      });
    expect((await post('other')).status).toBe(401);
    const response = await post('cli-key');
    expect(response.status).toBe(200);
    const json = (await response.json()) as any;
    expect((await fetch(json.data[0].url)).status).toBe(200);
  });

  it('exits cleanly on SIGTERM', async () => {
    await startCli(['--port', '0']);
    const exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses bad options with a message', async () => {
    await expect(startCli(['--port', '0', '--faults', 'nonsense'])).rejects.toThrow(/unknown fault directive/);
  });

  it('reads the latency forms', () => {
    expect(parseLatency('250')).toBe(250);
    expect(parseLatency('100-400')).toEqual({ min: 100, max: 400 });
    expect(parseLatency('500~50')).toEqual({ mean: 500, sd: 50 });
    expect(() => parseLatency('fast')).toThrow();
  });
});
