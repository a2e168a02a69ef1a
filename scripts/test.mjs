#!/usr/bin/env node
// Runs every check through turbo (build, typecheck, package lint, tests), then prints one plain
// "N passed, N failed" line that CI reads. Vitest writes a JSON report per package; a turbo task
// that failed without a report (lint, typecheck, a crashed runner) counts as one failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages', 'apps', '.']
  .flatMap((dir) => (dir === '.' ? ['bench', 'reliability', 'release'] : readdirSync(join(root, dir)).map((name) => join(dir, name))))
  .filter((dir) => existsSync(join(root, dir, 'package.json')));

for (const dir of workspaces) rmSync(join(root, dir, '.vitest-report.json'), { force: true });
rmSync(join(root, '.turbo', 'runs'), { recursive: true, force: true });

// System programs the suites run: installed here when we can (root with apt-get), else named before anything runs
// (the suites that need them then fail saying so; none is skipped).
const missing = (program) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0;
for (const [program, pkg, needs] of [
  ['redis-server', 'redis-server', 'the Redis suites'],
  ['chromium', 'chromium', 'the browser suites (or set CHROMIUM_PATH)'],
]) {
  if (program === 'chromium' && process.env.CHROMIUM_PATH) continue;
  if (!missing(program)) continue;
  if (process.getuid?.() === 0 && !missing('apt-get')) {
    console.log(`${program} is missing: apt-get install -y ${pkg}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('sh', ['-c', `apt-get update -y >/dev/null && apt-get install -y ${pkg} >/dev/null`], { stdio: 'inherit', env });
  }
  if (missing(program)) console.log(`${program} is not installed: ${needs} will fail. Install it with \`sudo apt-get install -y ${pkg}\` (Debian).`);
}

// Lint and format first (Biome, the whole tree in about a second): a finding fails the run like a test.
const biome = spawnSync(join(root, 'node_modules', '.bin', 'biome'), ['ci', '.'], { cwd: root, stdio: 'inherit' });

const extra = process.argv.slice(2);
const run = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', 'typecheck', 'lint', 'test', '--continue', '--summarize', '--concurrency=2', ...extra], {
  cwd: root,
  stdio: 'inherit',
  env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...process.env },
});

let passed = 0;
let failed = 0;
const failuresByPackage = new Map();
for (const dir of workspaces) {
  const file = join(root, dir, '.vitest-report.json');
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  failuresByPackage.set(
    JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).name,
    (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0),
  );
}

const failedTasks = [];
const runsDir = join(root, '.turbo', 'runs');
if (existsSync(runsDir)) {
  const newest = readdirSync(runsDir)
    .map((f) => join(runsDir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (newest) {
    for (const task of JSON.parse(readFileSync(newest, 'utf8')).tasks ?? []) {
      const code = task.execution?.exitCode;
      if (code === undefined || code === null || code === 0) continue;
      // A failing vitest task is already counted test by test, unless its report shows no failure
      // (no test files, a crashed worker, an unhandled error): then the task itself is the failure.
      if (task.task === 'test' && (failuresByPackage.get(task.package) ?? 0) > 0) continue;
      failedTasks.push(task.taskId);
    }
  }
}
if (biome.status !== 0) failedTasks.push('biome ci (lint and format)');
failed += failedTasks.length;
if (failedTasks.length) console.log(`failed tasks: ${failedTasks.join(', ')}`);
if (run.status !== 0 && failed === 0) failed = 1; // turbo itself failed: never report green
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && run.status === 0 ? 0 : 1);
