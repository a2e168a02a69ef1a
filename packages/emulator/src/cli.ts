/**
 * `seedream-emulator --port 8787 [--host 127.0.0.1] [--latency 300 | 200-800 | 500~100] [--faults spec]
 *  [--api-key KEY …] [--url-lifetime-ms N] [--seed N] [--envelope ark|cometapi] [--reject-unsupported-params]`
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';
import type { EmulatorOptions, LatencyOption } from './types.js';

const USAGE = `Usage: seedream-emulator [options]
  --port <n>                   port to listen on (default 0 = a free port)
  --host <addr>                interface (default 127.0.0.1)
  --latency <ms|min-max|mean~sd>  per-image latency (default 0)
  --seed <n>                   seed of the latency PRNG (default 1)
  --faults <spec>              server-wide faults, e.g. "latency=50,fail-image=1"
  --api-key <key>              accepted Bearer key (repeatable; default: any non-empty key)
  --url-lifetime-ms <ms>       lifetime of result URLs (default 86400000)
  --envelope <ark|cometapi>    error body style on /v1 (default ark)
  --reject-unsupported-params  400 for seed/guidance_scale on models that ignore them
  --help`;

export function parseLatency(text: string): LatencyOption {
  const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const normal = /^(\d+(?:\.\d+)?)~(\d+(?:\.\d+)?)$/.exec(text);
  if (normal) return { mean: Number(normal[1]), sd: Number(normal[2]) };
  const fixed = Number(text);
  if (text.trim() === '' || !Number.isFinite(fixed) || fixed < 0) throw new Error(`--latency: cannot read \`${text}\``);
  return fixed;
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name}: expected a non-negative integer, got \`${text}\``);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      latency: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      'api-key': { type: 'string', multiple: true },
      'url-lifetime-ms': { type: 'string' },
      envelope: { type: 'string' },
      'reject-unsupported-params': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.envelope !== undefined && values.envelope !== 'ark' && values.envelope !== 'cometapi') {
    throw new Error('--envelope must be ark or cometapi');
  }
  const options: EmulatorOptions = {
    port: integer('port', values.port) ?? 0,
    host: values.host,
    latency: values.latency === undefined ? undefined : parseLatency(values.latency),
    randomSeed: integer('seed', values.seed),
    faults: values.faults,
    apiKeys: values['api-key'],
    urlLifetimeMs: integer('url-lifetime-ms', values['url-lifetime-ms']),
    envelope: values.envelope as EmulatorOptions['envelope'],
    rejectUnsupportedParams: values['reject-unsupported-params'],
  };
  const emulator = await startEmulator(options);
  // Handlers first: whoever reads the URL below may signal us at once.
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`seedream-emulator listening on ${emulator.url}`);
  console.log(`  CometAPI base URL: ${emulator.baseURL}`);
  console.log(`  Ark base URL:      ${emulator.arkBaseURL}`);
}

main().catch((error: unknown) => {
  console.error(`seedream-emulator: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
