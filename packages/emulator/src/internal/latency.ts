/** Per-image latency: fixed or drawn from a seeded distribution. */
import type { LatencyOption } from '../types.js';
import { createRandom, normal } from './prng.js';

export type LatencySource = () => number;

export function createLatency(option: LatencyOption | undefined, seed = 1): LatencySource {
  if (option === undefined) return () => 0;
  if (typeof option === 'number') {
    assertMs(option);
    return () => option;
  }
  const random = createRandom(seed);
  if ('min' in option) {
    assertMs(option.min);
    assertMs(option.max);
    if (option.max < option.min) throw new RangeError('latency: max must be ≥ min');
    return () => option.min + random() * (option.max - option.min);
  }
  assertMs(option.mean);
  assertMs(option.sd);
  return () => Math.max(0, normal(random, option.mean, option.sd));
}

function assertMs(value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`latency must be a non-negative number of ms, got ${value}`);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
