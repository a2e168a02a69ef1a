// @ts-check
/** Where images come from: CometAPI when a key is set, otherwise an emulator started in this process. */
import { startEmulator } from '@seedream-kit/emulator';
import { createClient } from './client.mjs';

/**
 * @param {{ apiKey?: string, baseURL?: string, emulatorOptions?: import('@seedream-kit/emulator').EmulatorOptions }} options
 */
export async function connectUpstream({ apiKey, baseURL, emulatorOptions }) {
  if (apiKey) {
    const client = createClient({ apiKey, baseURL });
    return {
      mode: /** @type {const} */ ('cometapi'),
      client,
      emulator: undefined,
      description: `CometAPI (${new URL(baseURL ?? 'https://api.cometapi.com/v1').host})`,
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
  // The emulator accepts any non-empty key; this one is not a secret.
  const client = createClient({ apiKey: 'emulator-key', baseURL: emulator.baseURL });
  return { mode: /** @type {const} */ ('emulator'), client, emulator, description: 'in-process emulator', close: () => emulator.close() };
}
