/**
 * What a test makes and must not leave behind: copies of fixture projects in the OS temp dir (a build writes into
 * its project) and emulators. Each is registered as it is made; `cleanup()`, in the test file's afterEach, removes
 * them, newest first.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, type EmulatorOptions, startEmulator } from '@seedream-kit/emulator';
import { FAKE_KEY } from './fake-key.js';

const cleanups: Array<() => Promise<void>> = [];

/** Copies the folder `from` to a fresh temporary folder named `<prefix>…`; returns its path. */
export async function copyToTemp(from: string, prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  await cp(from, root, { recursive: true });
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

/** An emulator that accepts FAKE_KEY (and no other key). */
export async function testEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator({ apiKeys: [FAKE_KEY], ...options });
  cleanups.push(() => emulator.close());
  return emulator;
}

export async function cleanup(): Promise<void> {
  for (const task of cleanups.splice(0).reverse()) await task();
}
