// Debian's redis-server for the benchmarks (as packages/redis/test/redis-server.ts does for the tests, which .mjs
// cannot import): on a free loopback port, without persistence, ready once it answers PING. Undefined when
// redis-server is not installed (`apt-get install -y redis-server`). The caller kills the child.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';

export async function startRedisServer() {
  if (spawnSync(process.env.REDIS_SERVER_PATH || 'redis-server', ['--version']).status !== 0) return undefined;
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()];
  const child = spawn(process.env.REDIS_SERVER_PATH || 'redis-server', args, { stdio: 'ignore' });
  for (let attempt = 0; attempt < 100; attempt++) {
    const pong = await new Promise((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.on('error', () => resolve(false));
    });
    if (pong) return { child, url: `redis://127.0.0.1:${port}` };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not answer PING');
}
