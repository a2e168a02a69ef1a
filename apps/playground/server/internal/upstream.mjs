// @ts-check
/**
 * Where images come from: CometAPI when a key is set; otherwise an emulator, started in this process or, with
 * PLAYGROUND_EMULATOR_URL, one already running (so several instances share one, as they would share CometAPI).
 */
import { startEmulator } from '@seedream-kit/emulator';
import { createClient } from './client.mjs';

/**
 * @param {{ apiKey?: string, baseURL?: string, emulatorURL?: string, emulatorOptions?: import('@seedream-kit/emulator').EmulatorOptions }} options
 */
export async function connectUpstream({ apiKey, baseURL, emulatorURL, emulatorOptions }) {
  if (apiKey) {
    const client = createClient({ apiKey, baseURL });
    return {
      mode: /** @type {const} */ ('cometapi'),
      client,
      emulator: undefined,
      emulatorOrigin: undefined,
      description: `CometAPI (${new URL(baseURL ?? 'https://api.cometapi.com/v1').host})`,
      close: async () => {},
    };
  }
  if (emulatorURL) {
    const origin = new URL(emulatorURL).origin;
    // The emulator accepts any non-empty key; this one is not a secret.
    const client = createClient({ apiKey: 'emulator-key', baseURL: `${origin}/v1` });
    return {
      mode: /** @type {const} */ ('emulator'),
      client,
      emulator: undefined,
      emulatorOrigin: origin,
      description: `emulator at ${origin}`,
      close: async () => {},
    };
  }
  const latency = Number(process.env.PLAYGROUND_EMULATOR_LATENCY ?? 400);
  const emulator = await startEmulator({
    latency: Number.isFinite(latency) ? latency : 400,
    faults: process.env.PLAYGROUND_EMULATOR_FAULTS || undefined,
    ...emulatorOptions,
    host: '127.0.0.1',
    port: emulatorOptions?.port ?? 0,
  });
  const client = createClient({ apiKey: 'emulator-key', baseURL: emulator.baseURL });
  return {
    mode: /** @type {const} */ ('emulator'),
    client,
    emulator,
    emulatorOrigin: emulator.url,
    description: 'in-process emulator',
    close: () => emulator.close(),
  };
}
