/** `next build` and `next start` as child processes of the test, each stopped by it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const appDir = fileURLToPath(new URL('../..', import.meta.url));
const nextBin = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));
const seedreamBin = fileURLToPath(new URL('../../node_modules/@seedream-kit/art/dist/cli.js', import.meta.url));

/**
 * The environment of every child: this one without any key or endpoint of the developer's (a real COMETAPI_KEY in
 * the shell must never turn a test into a paid call), without telemetry, plus `extra`.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
  for (const name of ['COMETAPI_KEY', 'COMETAPI_BASE_URL', 'SEEDREAM_EMULATOR_URL', 'SEEDREAM_ALLOWED_HOSTS', 'PORT', 'HOSTNAME']) delete env[name];
  return { ...env, ...extra };
}

/** Runs a node script to its end; resolves with its exit code and everything it printed. */
function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** What `pnpm build` does: the art modules from the committed cache (offline: a miss fails), then `next build`. */
export async function buildApp(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const art = await run(seedreamBin, ['generate', '--offline'], env);
  if (art.code !== 0) return art;
  const next = await run(nextBin, ['build'], env);
  return { code: next.code, output: art.output + next.output };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface NextServer {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `next start` on a free loopback port; resolves once it answers. */
export async function startNext(env: NodeJS.ProcessEnv): Promise<NextServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: NextServer = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${server.url}/favicon.ico`, { method: 'HEAD' }).then(
      () => true,
      () => false,
    );
    if (ready) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`next start did not answer within 30 s:\n${output}`);
}
