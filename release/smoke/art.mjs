// @seedream-kit/art through its `seedream` CLI, as its README runs it: `seedream generate` with a manifest, the key and
// the emulator as COMETAPI_BASE_URL (CI=0: CI would make it offline), then `seedream check` with no request.
export default async function generate() {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const emu = await startEmulator();
  try {
    writeFileSync('seedream.images.json', JSON.stringify({ images: { hero: { prompt: 'a paper boat', size: '2560x1440' } } }));
    const env = { ...process.env, CI: '0', COMETAPI_KEY: 'release-smoke', COMETAPI_BASE_URL: emu.baseURL };
    // The package's `seedream` bin, run by this same Node (what the node_modules/.bin shim does), found from here.
    const require = createRequire(join(process.cwd(), 'smoke.cjs'));
    const manifestPath = require.resolve('@seedream-kit/art/package.json');
    const bin = join(dirname(manifestPath), JSON.parse(readFileSync(manifestPath, 'utf8')).bin.seedream);
    // Not execFileSync: the emulator answers from this process, whose event loop must keep running.
    const seedream = (command) => promisify(execFile)(process.execPath, [bin, command], { env, timeout: 120_000 });
    await seedream('generate');
    await seedream('check');
    const images = readdirSync('.seedream', { recursive: true }).filter((file) => /\.(png|jpe?g)$/.test(String(file)));
    if (emu.log.generations().length !== 1 || images.length !== 1) {
      throw new Error(`expected one generation and one cached image, got ${emu.log.generations().length} and ${images.join(', ')}`);
    }
    return { generations: 1, images };
  } finally {
    await emu.close();
  }
}
