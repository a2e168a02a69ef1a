// @seedream-kit/react as a user wires it: the server route (react/server) on node:http in front of the emulator,
// and the hook's HTTP transport (the package's main entry) calling it.
export default async function generate() {
  const { createServer } = await import('node:http');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { createSeedreamRoute, toNodeHandler } = await import('@seedream-kit/react/server');
  const { createHttpTransport } = await import('@seedream-kit/react');
  const emu = await startEmulator();
  const route = toNodeHandler(
    createSeedreamRoute({ client: createSeedream({ baseURL: emu.baseURL, apiKey: 'release-smoke' }), policy: { authorize: () => true } }),
  );
  const server = createServer(route);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const transport = createHttpTransport({ url: `http://127.0.0.1:${server.address().port}/api/seedream` });
    const result = await transport.generate({ prompt: 'a paper boat', size: '2K', watermark: false }, { signal: new AbortController().signal });
    const ok = result.images.filter((image) => !image.error && image.url);
    if (ok.length !== 1 || emu.log.generations().length !== 1) throw new Error(`expected one image and one request, got ${JSON.stringify(result)}`);
    return { images: ok.length };
  } finally {
    server.close();
    await emu.close();
  }
}
