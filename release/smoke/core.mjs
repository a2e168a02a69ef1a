// One generation through @seedream-kit/core on the emulator, both installed from the registry (run in the user's folder).
export default async function generate() {
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { createSeedream } = await import('@seedream-kit/core');
  const emu = await startEmulator();
  try {
    const seedream = createSeedream({ baseURL: emu.baseURL, apiKey: 'release-smoke' });
    const result = await seedream.generate({ prompt: 'a paper boat', size: '2K', watermark: false });
    const ok = result.images.filter((image) => !image.error && image.url);
    if (ok.length !== 1 || emu.log.generations().length !== 1) throw new Error(`expected one image and one request, got ${JSON.stringify(result)}`);
    return { images: ok.length, size: ok[0].size };
  } finally {
    await emu.close();
  }
}
