// A transport for a binding's useSeedream that calls a core client on the emulator directly (no route in between):
// what smoke/vue.mjs and smoke/svelte.mjs generate through. lib/smoke.mjs copies this folder next to the smoke
// script in the user's folder, so it imports only what the user installed.

/**
 * @param {{ baseURL: string }} emu the running emulator
 * @returns {Promise<import('@seedream-kit/core/transport').SeedreamTransport>}
 */
export async function emulatorTransport(emu) {
  const { createSeedream } = await import('@seedream-kit/core');
  const client = createSeedream({ baseURL: emu.baseURL, apiKey: 'release-smoke' });
  return {
    async generate(params, { signal }) {
      const result = await client.generate({ ...params, stream: false }, { signal });
      return {
        images: result.images.map((image) => ({ index: image.index, ...(image.url ? { url: image.url } : {}) })),
        model: result.model,
        created: result.created,
      };
    },
  };
}
