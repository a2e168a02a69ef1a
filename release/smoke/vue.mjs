// @seedream-kit/vue as a user meets it outside a component: the composable in an effect scope, over a transport
// that calls a core client on the emulator, and the store's state seen through its refs.

export default async function generate() {
  const { effectScope } = await import('vue');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { emulatorTransport } = await import('./shared/emulator-transport.mjs');
  const { useSeedream } = await import('@seedream-kit/vue');
  const emu = await startEmulator();
  const scope = effectScope();
  try {
    const transport = await emulatorTransport(emu);
    const seedream = scope.run(() => useSeedream({ transport }));
    if (!seedream) throw new Error('useSeedream returned nothing');
    await seedream.generateAsync({ prompt: 'a paper boat', size: '2K', watermark: false });
    const ok = seedream.images.value.filter((image) => !image.error && image.url);
    if (seedream.status.value !== 'success' || ok.length !== 1 || emu.log.generations().length !== 1) {
      throw new Error(`expected success with one image and one request, got ${seedream.status.value} / ${JSON.stringify(seedream.images.value)}`);
    }
    return { images: ok.length };
  } finally {
    scope.stop();
    await emu.close();
  }
}
