// @seedream-kit/vite in a real `vite build` of a one-file app, generating its image through the emulator
// (a key and a base URL: the API path, not the offline art), then a second build served from the cache.
export default async function generate() {
  const { mkdirSync, readdirSync, writeFileSync } = await import('node:fs');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { build } = await import('vite');
  const { default: seedream } = await import('@seedream-kit/vite');
  const emu = await startEmulator();
  try {
    mkdirSync('app', { recursive: true });
    writeFileSync('app/index.html', '<script type="module" src="./main.js"></script>\n');
    writeFileSync('app/main.js', "import hero from 'seedream:hero';\ndocument.body.append(Object.assign(document.createElement('img'), { src: hero.src }));\n");
    const config = () => ({
      root: 'app',
      logLevel: 'warn',
      plugins: [seedream({ images: { hero: { prompt: 'a paper boat', size: '2560x1440' } }, apiKey: 'release-smoke', baseURL: emu.baseURL, offline: false })],
    });
    await build(config());
    const generations = emu.log.generations().length;
    await build(config());
    const assets = readdirSync('app/dist/assets').filter((file) => /\.(png|jpe?g|webp)$/.test(file));
    if (generations !== 1 || emu.log.generations().length !== 1 || assets.length !== 1) {
      throw new Error(`expected one generation over two builds and one image asset, got ${emu.log.generations().length} and ${assets.join(', ')}`);
    }
    return { generations, assets };
  } finally {
    await emu.close();
  }
}
