/**
 * A real Redis for tests: Debian's `redis-server` as a child process on a free loopback port, without persistence
 * (`--save '' --appendonly no`), ready once it answers PING. `kill()` ends it at once (SIGKILL, like a crash),
 * `restart()` starts it again on the same port (empty: nothing was persisted), `stop()` ends it for good.
 *
 * Shared by the tests of @seedream-kit/redis and the reliability suites (imported by relative path). A missing
 * `redis-server` fails the test with the command that installs it: every suite must run, none is skipped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Ends the server abruptly (SIGKILL) and waits for the process to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after `kill()` or `stop()`), empty, and waits until it answers. */
  restart(): Promise<void>;
  /** Ends it (SIGTERM) and waits for the process to exit. */
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_PATH || 'redis-server';
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Throws with the install command when `redis-server` cannot be run. */
export function assertRedisServerInstalled(): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `redis-server is not installed (or ${BINARY} does not run): install it with \`apt-get install -y redis-server\` ` +
        '(Debian; `.ci/run` does it), or point REDIS_SERVER_PATH at a redis-server binary. The Redis suites need it and are never skipped.',
    );
  }
}

export async function startRedisServer(): Promise<RedisServer> {
  assertRedisServerInstalled();
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      let child = await launch(port);
      const exited = (proc: ChildProcess) =>
        proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      const end = async (signal: NodeJS.Signals) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited(child);
        running.delete(child);
      };
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        kill: () => end('SIGKILL'),
        stop: () => end('SIGTERM'),
        async restart() {
          await end('SIGKILL');
          child = await launch(port);
        },
      };
    } catch (error) {
      lastError = error; // the port was taken meanwhile: try another one
    }
  }
  throw lastError;
}

async function launch(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), '--daemonize', 'no'];
  const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}) on port ${port}:\n${output}`);
    }
    if (await answers(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  running.delete(child);
  throw new Error(`redis-server did not answer on port ${port} within 10 s:\n${output}`);
}

/** True once a PING on the port gets `+PONG`. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
