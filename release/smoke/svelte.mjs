// @seedream-kit/svelte as a user meets it: a Svelte 5 component (compiled here by the user's own svelte, for the
// server) that calls useSeedream, rendered with svelte/server; then one generation through the object it gave,
// over a transport that calls a core client on the emulator.
export const cjs = false; // ESM only, like Svelte 5 itself

export default async function generate() {
  const { writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const { compile } = await import('svelte/compiler');
  const { render } = await import('svelte/server');
  const { startEmulator } = await import('@seedream-kit/emulator');
  const { emulatorTransport } = await import('./shared/emulator-transport.mjs');
  const emu = await startEmulator();
  try {
    const transport = await emulatorTransport(emu);
    const source = `<script>
  import { useSeedream } from '@seedream-kit/svelte';
  let { transport, ready } = $props();
  const seedream = useSeedream({ transport, abortOnDestroy: false });
  ready(seedream);
</script>
<p>{seedream.status}</p>`;
    const file = join(process.cwd(), 'smoke-component.mjs');
    await writeFile(file, compile(source, { generate: 'server', filename: 'Smoke.svelte' }).js.code);
    const { default: Smoke } = await import(pathToFileURL(file).href);
    let seedream;
    const { body } = render(Smoke, { props: { transport, ready: (value) => (seedream = value) } });
    if (!body.includes('idle') || !seedream) throw new Error(`the component did not render idle: ${body}`);
    await seedream.generateAsync({ prompt: 'a paper boat', size: '2K', watermark: false });
    const ok = seedream.images.filter((image) => !image.error && image.url);
    if (seedream.status !== 'success' || ok.length !== 1 || emu.log.generations().length !== 1) {
      throw new Error(`expected success with one image and one request, got ${seedream.status} / ${JSON.stringify(seedream.images)}`);
    }
    return { images: ok.length };
  } finally {
    await emu.close();
  }
}
