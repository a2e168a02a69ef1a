// @seedream-kit/redis as a user wires it: Debian's redis-server started here on a free loopback port (it must be
// installed: `apt-get install -y redis-server`), createRedisStores, and one generation on the emulator run as a job
// on one "instance" and followed through another (two sets of stores, one Redis).
export default async function generate() {
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { createJobs, createSpendingPolicy } = await import('@seedream-kit/core/server');
  const { createRedisStores } = await import('@seedream-kit/redis');

  const port = await new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = new Promise((_, reject) =>
    redis.once('error', (error) => reject(new Error(`redis-server did not start (apt-get install -y redis-server): ${error.message}`))),
  );
  failed.catch(() => {});
  const emu = await startEmulator();
  const a = createRedisStores({ url: `redis://127.0.0.1:${port}`, prefix: 'smoke:' });
  const b = createRedisStores({ url: `redis://127.0.0.1:${port}`, prefix: 'smoke:' });
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
  }
}
