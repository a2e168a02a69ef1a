// The release pipeline of `pnpm release:verify`, on a throwaway copy of the repository:
// copy -> `changeset version` -> build -> a local Verdaccio on a free loopback port -> `changeset publish`.
// Everything it runs is a real tool (pnpm, changesets, turbo, Verdaccio, npm); nothing is mocked.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RELEASE_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const ROOT = resolve(RELEASE_DIR, '..');
export const VERDACCIO_DIR = join(RELEASE_DIR, 'verdaccio');
/** Every package a third party would install from our scope is served by this registry alone, never by an uplink. */
export const SCOPE = '@seedream-kit';

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Every non-private package under packages/* (found anew on each run: packages come and go). */
export function publicPackages(root = ROOT) {
  const base = join(root, 'packages');
  return readdirSync(base)
    .filter((dir) => existsSync(join(base, dir, 'package.json')))
    .map((dir) => ({ dir, path: join(base, dir), manifest: readJson(join(base, dir, 'package.json')) }))
    .filter(({ manifest }) => manifest.private !== true && typeof manifest.name === 'string')
    .map(({ dir, path, manifest }) => ({ dir, path, name: manifest.name, manifest }))
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * The whole verification's time budget (RELEASE_VERIFY_BUDGET_MINUTES, default 40): no command runs past it, so a
 * hung registry or install ends the suite with failures in bounded time, well inside CI's 90 minutes.
 */
const DEADLINE = Date.now() + Number(process.env.RELEASE_VERIFY_BUDGET_MINUTES ?? 40) * 60_000;

/**
 * Runs a command; never throws for a non-zero exit. The child gets its own process group so a timeout ends it
 * and everything it started (a hung install must not outlive the suite).
 */
export function run(command, args, { cwd, env, timeoutMs = 10 * 60_000 } = {}) {
  const budget = Math.min(timeoutMs, DEADLINE - Date.now());
  if (budget <= 0)
    return Promise.resolve({ code: -1, stdout: '', stderr: `not run: the release:verify time budget is spent (${command} ${args.join(' ')})`, timedOut: true });
  timeoutMs = budget;
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: -1, stdout, stderr: `${stderr}${error.message}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr: timedOut ? `${stderr}\n(killed after ${timeoutMs} ms)` : stderr, timedOut });
    });
  });
}

/** Like run, but a non-zero exit throws with the command's output tail. */
export async function must(command, args, options) {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} (in ${options?.cwd ?? process.cwd()}) exited ${result.code}:\n${tail}`);
  }
  return result;
}

/** The files of the working tree that git would commit: tracked and new, not ignored (no node_modules, dist, caches). */
async function sourceFiles(root) {
  const { stdout } = await must('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
  return [...new Set(stdout.split('\0').filter(Boolean))].filter((file) => existsSync(join(root, file)));
}

/** Copies the repository (its working tree as git sees it) into `to`. */
export async function copyRepository(root, to) {
  for (const file of await sourceFiles(root)) {
    mkdirSync(join(to, file, '..'), { recursive: true });
    cpSync(join(root, file), join(to, file), { dereference: false, verbatimSymlinks: true });
  }
}

export function pendingChangesets(repo) {
  const dir = join(repo, '.changeset');
  return readdirSync(dir).filter((file) => file.endsWith('.md') && file !== 'README.md');
}

/**
 * Versions the copy as a release would: `changeset version` over the pending changesets, or over a synthetic
 * patch changeset for every public package when none is pending (right after a release).
 */
export async function versionPackages(repo, log) {
  const synthetic = pendingChangesets(repo).length === 0;
  if (synthetic) {
    const lines = publicPackages(repo).map(({ name }) => `"${name}": patch`);
    writeFileSync(join(repo, '.changeset', 'release-verify-synthetic.md'), `---\n${lines.join('\n')}\n---\n\nrelease:verify (synthetic)\n`);
  }
  const before = Object.fromEntries(publicPackages(repo).map((p) => [p.name, p.manifest.version]));
  await must(join(repo, 'node_modules', '.bin', 'changeset'), ['version'], { cwd: repo, timeoutMs: 120_000 });
  const after = Object.fromEntries(publicPackages(repo).map((p) => [p.name, p.manifest.version]));
  log(
    `changeset version${synthetic ? ' (synthetic changeset)' : ''}: ${Object.entries(after)
      .map(([name, v]) => `${name} ${before[name]} -> ${v}`)
      .join(', ')}`,
  );
  return { synthetic, before, after };
}

/** A loopback port nobody listens on right now. */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/** Installs the pinned Verdaccio with npm when its folder has none yet (.ci/run does it up front). */
export async function ensureVerdaccio(log) {
  const bin = join(VERDACCIO_DIR, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (existsSync(bin)) return bin;
  log('installing Verdaccio 6.8.0 (npm ci in release/verdaccio)');
  await must('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: VERDACCIO_DIR, timeoutMs: 5 * 60_000 });
  return bin;
}

/**
 * Starts Verdaccio on a free loopback port. Our scope is served from local storage only (no proxy), so an
 * install can only get what this run published; every other package is proxied from the npm registry.
 */
export async function startRegistry(dir, log) {
  const bin = await ensureVerdaccio(log);
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    max_users: -1',
      'uplinks:',
      '  npmjs:',
      '    url: https://registry.npmjs.org/',
      '    timeout: 60s',
      '    max_fails: 5',
      'packages:',
      `  '${SCOPE}/*':`,
      '    access: $all',
      '    publish: $all',
      '    unpublish: $all',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: npmjs',
      'max_body_size: 200mb',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const child = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise((r) => child.once('exit', r));
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, 5_000);
      await exited;
      clearTimeout(timer);
    };
    // Ready when it answers its ping (about a second); give up after 30 s.
    let ready = false;
    for (let i = 0; i < 150 && !ready && child.exitCode === null; i++) {
      ready = await fetch(`${url}-/ping`).then(
        (response) => response.ok,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    if (ready) {
      log(`Verdaccio listening on ${url}`);
      // Its uplink must work, or every install fails with a 404 that hides why (turbo's strict env drops
      // NODE_EXTRA_CA_CERTS unless passed through: release/turbo.json).
      const probe = await fetch(`${url}@types%2fnode`, { signal: AbortSignal.timeout(60_000) }).catch((error) => ({ ok: false, status: String(error) }));
      if (probe.ok) return { url, port, stop, output: () => output };
      await stop();
      throw new Error(`Verdaccio cannot reach the npm registry through its uplink (GET @types/node: ${probe.status}):\n${output}`);
    }
    await stop();
    if (attempt === 3) throw new Error(`Verdaccio did not start on ${url}:\n${output}`);
  }
}

/**
 * npm and pnpm settings of the run, as a user config file: the registry, a placeholder token (Verdaccio takes it
 * as anonymous, enough for `publish: $all`), and caches inside the throwaway folder so no machine cache is read
 * or polluted with this run's tarballs.
 */
export function writeUserConfig(work, registry) {
  const file = join(work, 'npmrc');
  const host = registry.url.replace(/^https?:/, '');
  writeFileSync(
    file,
    [
      `registry=${registry.url}`,
      `${host}:_authToken=local-placeholder`,
      `cache=${join(work, 'npm-cache')}`,
      `store-dir=${join(work, 'pnpm-store')}`,
      `cache-dir=${join(work, 'pnpm-cache')}`,
      'fund=false',
      'audit=false',
      'update-notifier=false',
      '',
    ].join('\n'),
  );
  return { NPM_CONFIG_USERCONFIG: file, npm_config_userconfig: file, npm_config_registry: registry.url, COREPACK_ENABLE_STRICT: '0' };
}

/** pnpm install (from the store; the lock file must be current), then the version bump, then the build of packages/*. */
export async function prepareCopy(repo, log) {
  await must('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'], { cwd: repo, timeoutMs: 10 * 60_000 });
  const versions = await versionPackages(repo, log);
  const started = Date.now();
  await must(join(repo, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--filter=./packages/*', '--concurrency=2', '--output-logs=errors-only'], {
    cwd: repo,
    timeoutMs: 15 * 60_000,
    env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
  log(`built packages/* in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return versions;
}

/**
 * Publishes the way the release workflow does: `changeset publish` (pnpm publish per public package whose version
 * the registry lacks; pnpm rewrites `workspace:` ranges). A package it did not publish is an error.
 */
export async function publishAll(repo, env, log) {
  const result = await run(join(repo, 'node_modules', '.bin', 'changeset'), ['publish', '--no-git-tag'], { cwd: repo, env, timeoutMs: 10 * 60_000 });
  const output = `${result.stdout}\n${result.stderr}`;
  const published = [];
  for (const { name, manifest } of publicPackages(repo)) {
    const view = await run('npm', ['view', `${name}@${manifest.version}`, 'version', '--json'], { cwd: repo, env, timeoutMs: 60_000 });
    if (view.code === 0 && JSON.parse(view.stdout) === manifest.version) published.push({ name, version: manifest.version });
  }
  log(`published ${published.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  return { code: result.code, output, published };
}

/** Removes a folder, ignoring a missing one. */
export const remove = (dir) => rmSync(dir, { recursive: true, force: true });

export { readJson };

/**
 * Publishes a deliberately broken copy of one package, as `<version>-broken-<id>.0` under the dist-tag `broken`
 * (`latest` stays the good release), then restores its package.json. `mutate` edits the manifest in place;
 * `publisher` 'npm' publishes with npm itself, which, unlike pnpm, leaves `workspace:` ranges as written.
 */
export async function publishBroken(repo, env, { id, dir, mutate = () => {}, publisher = 'pnpm' }) {
  const file = join(repo, 'packages', dir, 'package.json');
  const original = readFileSync(file, 'utf8');
  const manifest = JSON.parse(original);
  const version = `${manifest.version}-broken-${id}.0`;
  mutate(manifest);
  manifest.version = version;
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    const args =
      publisher === 'npm' ? ['publish', '--tag', 'broken', '--access', 'public'] : ['publish', '--tag', 'broken', '--access', 'public', '--no-git-checks'];
    await must(publisher, args, { cwd: join(repo, 'packages', dir), env, timeoutMs: 5 * 60_000 });
  } finally {
    writeFileSync(file, original);
  }
  return version;
}
