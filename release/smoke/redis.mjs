// @seedream-kit/redis as a user wires it: Debian's redis-server started here on a unix socket of its own (it must be
// installed: `apt-get install -y redis-server`), createRedisStores, and one generation on the emulator run as a job
// on one "instance" and followed through another (two sets of stores, one Redis).
export default async function generate() {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { createJobs, createSpendingPolicy } = await import('@seedream-kit/core/server');
  const { createRedisStores } = await import('@seedream-kit/redis');

  // A unix socket in a folder of its own, not a TCP port: two smokes running at once can never meet on one port.
  const folder = await mkdtemp(join(tmpdir(), 'seedream-redis-smoke-'));
  const socket = join(folder, 'redis.sock');
  const redis = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = new Promise((_, reject) => {
    redis.once('error', (error) => reject(new Error(`redis-server did not start (apt-get install -y redis-server): ${error.message}`)));
    redis.once('exit', (code, signal) => reject(new Error(`redis-server exited early (${code ?? signal})`)));
  });
  failed.catch(() => {});
  for (let waited = 0; !existsSync(socket); waited += 20) {
    if (waited > 10_000) throw new Error('redis-server did not open its socket within 10 s');
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
  const emu = await startEmulator();
  const a = createRedisStores({ url: socket, prefix: 'smoke:' });
  const b = createRedisStores({ url: socket, prefix: 'smoke:' });
  try {
    const client = createSeedream({ baseURL: emu.baseURL, apiKey: 'release-smoke' });
    const policy = createSpendingPolicy({ authorize: () => 'smoke', budget: { store: a.budget } });
    const caller = { id: 'smoke' };
    // The first commands wait for the connection (redis-server answers within ~50 ms of starting).
    const admission = await Promise.race([
      failed,
      policy.admit({
        caller,
        request: new Request('http://smoke.test/'),
        operation: 'generate',
        body: { prompt: 'a paper boat', size: '2K', watermark: false },
        defaultModel: client.model,
      }),
    ]);
    const jobsA = createJobs({ client, store: a.jobs });
    const jobsB = createJobs({ client, store: b.jobs });
    const { jobId } = await jobsA.start({ admission });
    const events = [];
    for await (const entry of jobsB.follow(jobId, caller)) events.push(entry.event.type);
    const view = await jobsB.get(jobId, caller);
    const ok = view.images.filter((image) => !image.error && image.url);
    if (view.state !== 'succeeded' || ok.length !== 1 || emu.log.generations().length !== 1) {
      throw new Error(`expected one image and one request, got ${JSON.stringify({ view, events })}`);
    }
    await Promise.all([jobsA.shutdown({ deadlineMs: 0 }), jobsB.shutdown({ deadlineMs: 0 })]);
    return { images: ok.length, events: events.join(',') };
  } finally {
    await Promise.all([a.close(), b.close()]);
    await emu.close();
    redis.kill('SIGKILL');
    await rm(folder, { recursive: true, force: true });
  }
}
