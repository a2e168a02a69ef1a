/**
 * `pnpm release:verify`: a release proven the way a user meets it, from a registry.
 *
 * On a throwaway copy of the repository: `changeset version` (a synthetic patch changeset when none is pending),
 * the build of packages/*, a Verdaccio on a free loopback port serving @seedream-kit/* from its own storage only,
 * and `changeset publish` into it. Then every public package of packages/* is installed ALONE (with what its README
 * says to add, its peers, Node's types and the emulator) into a fresh folder, once with npm and once with pnpm
 * (pnpm without hoisting and with strict peers), and checked: the install, the published manifest, the files it
 * ships, an ESM import and a CJS require of every entry point, its README examples type-checked (bundler and
 * node16), and one generation on the emulator through release/smoke/<dir>.mjs.
 *
 * Packages are broken on purpose too (a forgotten file, a dependency, a peer, a `workspace:` range left in, a peer
 * range that excludes the tested version), published under the dist-tag `broken`, and each must fail the check
 * that names its mistake.
 *
 * RELEASE_VERIFY_SOURCE=<git checkout> verifies another checkout (default: this one, its working tree as git sees
 * it); RELEASE_VERIFY_KEEP=1 keeps the throwaway folder and prints where it is.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRepository, prepareCopy, publicPackages, publishAll, publishBroken, ROOT, remove, startRegistry, writeUserConfig } from '../lib/pipeline.mjs';
import { smokePackage } from '../lib/smoke.mjs';

const SOURCE = process.env.RELEASE_VERIFY_SOURCE ?? ROOT;
const KEEP = process.env.RELEASE_VERIFY_KEEP === '1';
const PACKAGES = publicPackages(SOURCE);
const MANAGERS = ['npm', 'pnpm'] as const;

const started = Date.now();
const log = (message: string) => console.log(`[release:verify ${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);

type Env = Record<string, string>;
type Registry = Awaited<ReturnType<typeof startRegistry>>;
let work: string;
let repo: string;
let env: Env;
let registry: Registry | undefined;
let versions: Record<string, string> = {};
let publish: Awaited<ReturnType<typeof publishAll>>;
let versioning: Awaited<ReturnType<typeof prepareCopy>>;
const broken: Record<string, string> = {};

/** The deliberate mistakes: each package is published broken once, and must fail the named check. */
const SABOTAGE = [
  {
    id: 'files',
    dir: 'core',
    what: 'a files list that forgets the shared chunks of dist',
    mutate: (m: any) => {
      m.files = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'README.md', 'CHANGELOG.md'];
    },
    pm: 'npm',
    fails: /^files shipped/,
  },
  {
    id: 'dependency',
    dir: 'core',
    what: 'a runtime dependency missing from dependencies',
    mutate: (m: any) => {
      delete m.dependencies['eventsource-parser'];
    },
    pm: 'pnpm',
    fails: /^every module it imports is declared/,
  },
  {
    id: 'peer',
    dir: 'graphql',
    what: 'graphql imported but not declared as a peer (the user installs graphql, so the import itself still works)',
    mutate: (m: any) => {
      delete m.peerDependencies.graphql;
    },
    pm: 'npm',
    fails: /^every module it imports is declared/,
  },
  {
    id: 'peer-range',
    dir: 'react',
    what: 'a peer range that excludes the React the suite tests',
    mutate: (m: any) => {
      m.peerDependencies.react = '^17.0.0';
    },
    pm: 'npm',
    fails: /^install/,
  },
  {
    id: 'workspace',
    dir: 'react',
    what: 'a workspace: range left in (published with npm, which does not rewrite it)',
    publisher: 'npm',
    pm: 'npm',
    fails: /^install/,
  },
] as const;

beforeAll(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'seedream-release-')));
  repo = join(work, 'repo');
  log(`throwaway folder ${work}, source ${SOURCE}`);
  await copyRepository(SOURCE, repo);
  versioning = await prepareCopy(repo, log);
  registry = await startRegistry(join(work, 'registry'), log);
  env = writeUserConfig(work, registry);
  publish = await publishAll(repo, env, log);
  versions = Object.fromEntries(publish.published.map((p: { name: string; version: string }) => [p.name, p.version]));
  for (const sabotage of SABOTAGE) {
    if (!PACKAGES.some((p) => p.dir === sabotage.dir)) continue;
    broken[sabotage.id] = await publishBroken(repo, env, sabotage);
  }
  log(`published the broken variants: ${Object.values(broken).join(', ')}`);
}, 25 * 60_000);

afterAll(async () => {
  await registry?.stop();
  if (KEEP) log(`kept ${work}`);
  else if (work) remove(work);
});

describe('versioning and publishing', () => {
  it('finds the public packages of packages/*', () => {
    expect(PACKAGES.map((p) => p.dir)).toEqual(expect.arrayContaining(['core', 'emulator', 'graphql', 'react', 'vite']));
  });

  it('changeset version keeps internal dependencies on workspace:^, which pnpm publish turns into ^<this release>', () => {
    for (const pkg of publicPackages(repo)) {
      for (const [name, range] of Object.entries({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies } as Record<string, string>)) {
        if (name.startsWith('@seedream-kit/')) expect(`${pkg.name} -> ${name} ${range}`).toBe(`${pkg.name} -> ${name} workspace:^`);
      }
    }
    expect(versioning.after, 'changeset version changed no version').not.toEqual(versioning.before);
  });

  it('changeset publish publishes every public package at its new version', () => {
    expect(publish.code, publish.output).toBe(0);
    expect(Object.keys(versions).sort()).toEqual(PACKAGES.map((p) => p.name).sort());
    for (const pkg of publicPackages(repo)) expect(versions[pkg.name]).toBe(pkg.manifest.version);
  });
});

describe.concurrent('each package installed alone from the registry', () => {
  it.each(PACKAGES.flatMap((pkg) => MANAGERS.map((pm) => ({ label: `${pkg.name} with ${pm}`, dir: pkg.dir, pm }))))(
    '$label',
    async ({ dir, pm }) => {
      const pkg = publicPackages(repo).find((p) => p.dir === dir)!;
      const result = await smokePackage({ pkg, pm, versions, work, env });
      log(`${pkg.name} with ${pm}: ${result.ok ? 'ok' : 'FAILED'}${result.ok ? '' : `\n${result.report}`}`);
      if (result.notes.length) log(`${pkg.name} with ${pm}: ${result.notes.join('\n')}`);
      expect(result.ok, result.report).toBe(true);
    },
    8 * 60_000,
  );
});

describe.concurrent('a package broken on purpose fails here', () => {
  it.each(SABOTAGE.map((s) => ({ ...s, label: `${s.dir}: ${s.what}` })))(
    '$label',
    async (sabotage) => {
      const pkg = publicPackages(repo).find((p) => p.dir === sabotage.dir)!;
      expect(broken[sabotage.id], `${sabotage.dir} was not published broken`).toBeDefined();
      const result = await smokePackage({
        pkg,
        pm: sabotage.pm,
        versions,
        work,
        env,
        label: `broken-${sabotage.id}-${sabotage.pm}`,
        expectVersion: broken[sabotage.id],
      });
      const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
      expect(result.ok, result.report).toBe(false);
      expect(
        failed.some((name) => sabotage.fails.test(name)),
        `expected a failing check matching ${sabotage.fails}, got:\n${result.report}`,
      ).toBe(true);
      // The mistake is the only difference from the good release, which passes: nothing else failed before it.
      expect(failed[0], result.report).toMatch(sabotage.fails);
    },
    8 * 60_000,
  );
});
