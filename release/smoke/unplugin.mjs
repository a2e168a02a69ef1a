// @seedream-kit/unplugin in a real Rollup build (the bundler a user brings), generating its image through the emulator.
export const install = ['rollup@4.68.8'];

export default async function generate() {
  const { mkdirSync, readdirSync, writeFileSync } = await import('node:fs');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { rollup } = await import('rollup');
  const { default: seedream } = await import('@seedream-kit/unplugin/rollup');
  const emu = await startEmulator();
  try {
    mkdirSync('src', { recursive: true });
    writeFileSync('src/main.js', "import hero from 'seedream:hero';\nconsole.log(hero.src, hero.width);\n");
    const bundle = await rollup({
      input: 'src/main.js',
      plugins: [seedream({ images: { hero: { prompt: 'a paper boat', size: '2560x1440' } }, apiKey: 'release-smoke', baseURL: emu.baseURL, offline: false })],
    });
    await bundle.write({ dir: 'dist' });
    await bundle.close();
    const assets = readdirSync('dist', { recursive: true }).filter((file) => /\.(png|jpe?g)$/.test(String(file)));
    if (emu.log.generations().length !== 1 || assets.length !== 1) {
      throw new Error(`expected one generation and one image asset, got ${emu.log.generations().length} and ${assets.join(', ')}`);
    }
    return { generations: 1, assets };
  } finally {
    await emu.close();
  }
}
