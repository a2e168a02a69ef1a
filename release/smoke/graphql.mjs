// @seedream-kit/graphql as a user wires it: createSeedreamYoga (graphql/yoga) in front of the emulator, and the
// GraphQL transport (graphql/transport) calling its generateImages mutation.
export default async function generate() {
  const { createServer } = await import('node:http');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const { createSeedreamYoga } = await import('@seedream-kit/graphql/yoga');
  const { createGraphQLTransport } = await import('@seedream-kit/graphql/transport');
  const emu = await startEmulator();
  const yoga = createSeedreamYoga({ client: createSeedream({ baseURL: emu.baseURL, apiKey: 'release-smoke' }), policy: { authorize: () => true } });
  const server = createServer(yoga);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const transport = createGraphQLTransport({ url: `http://127.0.0.1:${server.address().port}/graphql` });
    const result = await transport.generate({ prompt: 'a paper boat', size: '2K', watermark: false }, { signal: new AbortController().signal });
    const ok = result.images.filter((image) => !image.error && image.url);
    if (ok.length !== 1 || emu.log.generations().length !== 1) throw new Error(`expected one image and one request, got ${JSON.stringify(result)}`);
    return { images: ok.length };
  } finally {
    server.close();
    await emu.close();
  }
}
