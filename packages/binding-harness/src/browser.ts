/**
 * Headless Debian Chromium driven by playwright-core, with the flags that work on these machines: the one
 * launcher of every browser test (the bindings' apps, the playground, the Next.js example).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchOptions {
  /** Names the temporary profile folder (`<name>-chromium-…`). Default `binding`. */
  name?: string;
  viewport?: { width: number; height: number };
  /** Accept downloads into a temporary folder of their own (`downloadsDir`). */
  downloads?: boolean;
}

export interface Browser {
  context: BrowserContext;
  /** Where downloads land, with `downloads: true`. */
  downloadsDir: string | undefined;
  close(): Promise<void>;
}

/** The Chromium binary: CHROMIUM_PATH, else Debian's; a missing one is named with how to get it. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium was not found at ${path}. The browser tests need Debian's chromium: run \`apt-get install -y chromium\` ` +
        '(.ci/run does this) or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return path;
}

export async function launchBrowser({ name = 'binding', viewport, downloads = false }: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  const userDataDir = await mkdtemp(join(tmpdir(), `${name}-chromium-`));
  const downloadsDir = downloads ? await mkdtemp(join(tmpdir(), `${name}-downloads-`)) : undefined;
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ARGS,
    reducedMotion: 'reduce',
    ...(viewport ? { viewport } : {}),
    ...(downloadsDir ? { acceptDownloads: true, downloadsPath: downloadsDir } : {}),
  });
  return {
    context,
    downloadsDir,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
      if (downloadsDir) await rm(downloadsDir, { recursive: true, force: true });
    },
  };
}
