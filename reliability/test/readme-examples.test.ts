/**
 * Docs that cannot rot: every TypeScript example of `packages/<name>/README.md` (fenced blocks tagged `ts`, `tsx` or
 * `typescript`) is type-checked against the BUILT packages, imported the way a user imports them
 * (`@seedream-kit/react/server`, `@seedream-kit/graphql/yoga`, `@seedream-kit/vite/client` …, resolved through
 * `node_modules` and the packages' `exports` maps to their dist `.d.ts`).
 *
 * The examples are written to a temporary "user project" (a folder with `"type": "module"` whose
 * `node_modules` is this package's), and checked by the TypeScript compiler API in one program per
 * resolution mode: `module: esnext` + `moduleResolution: bundler`, then `module: node16` +
 * `moduleResolution: node16`. Settings: `strict`, `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`,
 * `verbatimModuleSyntax`, `moduleDetection: force` (every example is its own module), DOM + Node types
 * (`types: ["node"]`), `jsx: react-jsx`; `skipLibCheck` for the libraries. An import the example never uses is
 * reported too, except in a block made only of imports (an API listing).
 *
 * Conventions in a README, right before the fence (blank lines in between are fine; see reliability/README.md):
 *
 *   <!-- prelude: declare function getUser(request: Request): Promise<{ id: string } | null>; -->
 *     Code prepended to the example for the check only (what it assumes: a `getUser`, a `db`, an import
 *     made by an earlier example, a `/// <reference types>`). It is not shown on the rendered page and may
 *     span several lines. Errors are reported at the example's own lines.
 *
 *   <!-- no-check: <reason> -->
 *     The block is a fragment (a shape summary, pseudo-code) and is not checked. Use it sparingly.
 *
 * Errors are reported as `<README> block <n> (README line <l>), line <i>:<col> [modes] TS<code> <message>`,
 * where block n is the n-th TypeScript block of that README and line i is the line inside the block.
 *
 * A synthetic README with known mistakes goes through the same programs, so the test also proves that the
 * check catches an error (in both modes), maps it to the right block and line, and honours the conventions.
 *
 * Needs the packages built first (turbo's `test` depends on `^build`; every package whose README is checked
 * is a dependency of this one — asserted below). About 10 s.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RELIABILITY = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ROOT = resolve(RELIABILITY, '..');
const TS_LANGS: Record<string, 'ts' | 'tsx'> = { ts: 'ts', typescript: 'ts', tsx: 'tsx' };

type Mode = 'bundler' | 'node16';
const MODES: Mode[] = ['bundler', 'node16'];

interface Example {
  readme: string; // e.g. packages/vite/README.md
  block: number; // 1-based, among the README's TypeScript blocks
  line: number; // README line of the block's first code line
  lang: 'ts' | 'tsx';
  code: string;
  prelude: string; // '' or code ending with a newline
  skip?: string; // the no-check reason
}

interface Problem {
  example: Example;
  line: number; // inside the block; 0 = in the prelude
  column: number;
  code: number;
  message: string;
  text: string; // the source line
}

/** The TypeScript blocks of a Markdown text, with the prelude / no-check comments that precede them. */
function extractExamples(readme: string, markdown: string): Example[] {
  const lines = markdown.split(/\r?\n/);
  const examples: Example[] = [];
  let comments: string[] = []; // HTML comments since the last content line
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`{]*)/.exec(text);
    if (open) {
      const [, indent, fence] = open;
      const lang = TS_LANGS[open[3]!.toLowerCase()];
      const body: string[] = [];
      const close = new RegExp(`^ {0,3}${fence![0] === '`' ? '`' : '~'}{${fence!.length},}\\s*$`);
      let j = i + 1;
      for (; j < lines.length && !close.test(lines[j]!); j++)
        body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!.trimStart());
      if (lang) {
        count++;
        const prelude = comments.filter((c) => /^prelude:/.test(c)).map((c) => c.replace(/^prelude:\s*/, '').trim());
        const skip = comments
          .find((c) => /^no-check:/.test(c))
          ?.replace(/^no-check:\s*/, '')
          .trim();
        examples.push({
          readme,
          block: count,
          line: i + 2,
          lang,
          code: `${body.join('\n')}\n`,
          prelude: prelude.length ? `${prelude.join('\n')}\n` : '',
          ...(skip !== undefined && { skip }),
        });
      }
      comments = [];
      i = j;
      continue;
    }
    if (/^\s*<!--/.test(text)) {
      let comment = text.replace(/^\s*<!--/, '');
      while (!comment.includes('-->') && i + 1 < lines.length) comment += `\n${lines[++i]!}`;
      comments.push(comment.slice(0, comment.indexOf('-->')).trim());
      continue;
    }
    if (text.trim() !== '') comments = [];
  }
  return examples;
}

function compilerOptions(mode: Mode, dir: string): ts.CompilerOptions {
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noUnusedLocals: true, // only unused imports are reported (see UNUSED below)
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
    dir,
  );
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, formatHost));
  return options;
}

const formatHost: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };

/** "x is declared but never used" and its variants: kept only for imports of blocks that do more than import. */
const UNUSED = new Set([6133, 6192, 6196, 6198, 6199, 6205]);

function check(mode: Mode, dir: string, files: Map<string, Example>): { problems: Problem[]; global: string[] } {
  const options = compilerOptions(mode, dir);
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host: ts.createCompilerHost(options, true) });
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  const problems: Problem[] = [];
  for (const [file, example] of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not in the program`);
    const preludeLength = example.prelude.length;
    const preludeLines = example.prelude.split('\n').length - 1;
    const blockStatements = source.statements.filter((s) => s.getStart(source) >= preludeLength);
    const onlyImports = blockStatements.every((s) => ts.isImportDeclaration(s));
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const start = d.start ?? 0;
      if (UNUSED.has(d.code)) {
        const inImport = blockStatements.some((s) => ts.isImportDeclaration(s) && s.getStart(source) <= start && start < s.end);
        if (!inImport || onlyImports) continue;
      }
      const { line, character } = source.getLineAndCharacterOfPosition(start);
      problems.push({
        example,
        line: line < preludeLines ? 0 : line - preludeLines + 1,
        column: character + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        text: source.text.split('\n')[line] ?? '',
      });
    }
  }
  return { problems, global };
}

function describeProblem(p: Problem, modes: Mode[]): string {
  const where = p.line === 0 ? 'its prelude' : `line ${p.line}:${p.column}`;
  const readmeLine = p.line === 0 ? p.example.line : p.example.line + p.line - 1;
  return `${p.example.readme} block ${p.example.block} (README line ${readmeLine}), ${where} [${modes.join(', ')}] TS${p.code}: ${p.message}`;
}

/** One line per problem; a problem found in both modes is listed once. */
function report(results: Map<Mode, Problem[]>): string[] {
  const seen = new Map<string, { problem: Problem; modes: Mode[] }>();
  for (const [mode, problems] of results) {
    for (const p of problems) {
      const key = `${p.example.readme}#${p.example.block}:${p.line}:${p.column}:${p.code}:${p.message}`;
      const entry = seen.get(key) ?? { problem: p, modes: [] };
      entry.modes.push(mode);
      seen.set(key, entry);
    }
  }
  return [...seen.values()].map(({ problem, modes }) => describeProblem(problem, modes));
}

/**
 * Examples that fail for a cause outside their README that this change may not touch, each with the error it
 * must keep producing in both modes: once the cause is fixed the test says so and the entry goes. Not a way
 * to silence an example — fix the example (or mark a true fragment `no-check`) instead.
 */
const KNOWN_FAILURES: Array<{ readme: string; line: string; code: number; why: string }> = [];

const isKnown = (p: Problem) => KNOWN_FAILURES.some((k) => k.readme === p.example.readme && k.code === p.code && p.text.includes(k.line));

/** Known mistakes, checked in the same programs: the check must find exactly these. */
const SELF_TEST_README = [
  '# self-test',
  '',
  '<!-- prelude: declare function getUser(request: Request): Promise<{ id: string } | null>; -->',
  '',
  '```ts',
  "const user = await getUser(new Request('http://localhost/'));",
  'const id: number = user!.id;', // block 1, line 2: TS2322
  '```',
  '',
  '<!-- no-check: not code -->',
  '```ts',
  'this is not TypeScript',
  '```',
  '',
  '```tsx',
  "import { useSeedream } from '@seedream-kit/react';",
  'export const Broken = () => <p>{useSeedream().nope}</p>;', // block 3, line 2: TS2339
  '```',
  '',
  '<!-- prelude:',
  "import { createSeedream } from '@seedream-kit/core';",
  '-->',
  '```typescript',
  "import { createRoute } from '@seedream-kit/react/server';", // block 4, line 1: TS2305 (no such export)
  "import { createSeedreamYoga } from '@seedream-kit/graphql/yoga';", // block 4, line 2: unused import
  'export const client = createSeedream({ apiKey: undefined });', // block 4, line 3: TS2379 (exactOptionalPropertyTypes)
  'createRoute;',
  '```',
  '',
  '```ts',
  "import { createSeedream } from '@seedream-kit/core';", // an API listing: unused imports are fine here
  "import type { SeedreamImage } from '@seedream-kit/vite';",
  '```',
].join('\n');

const SELF_TEST_EXPECTED: Array<[block: number, line: number, code: number]> = [
  [1, 2, 2322],
  [3, 2, 2339],
  [4, 1, 2305],
  [4, 2, 6133],
  [4, 3, 2379],
];

const readmes = readdirSync(join(ROOT, 'packages'))
  .map((name) => `packages/${name}/README.md`)
  .filter((readme) => existsSync(join(ROOT, readme)))
  .sort();
const examples = readmes.flatMap((readme) => extractExamples(readme, readFileSync(join(ROOT, readme), 'utf8')));
const selfTest = extractExamples('self-test/README.md', SELF_TEST_README);

let dir: string;
const results = new Map<Mode, Problem[]>();
const globalErrors: string[] = [];

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'seedream-readme-examples-')));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-examples', private: true, type: 'module' }));
  symlinkSync(join(RELIABILITY, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const files = new Map<string, Example>();
  for (const example of [...examples, ...selfTest]) {
    if (example.skip !== undefined) continue;
    const folder = join(dir, example.readme.replace(/\/README\.md$/, '').replace(/\//g, '-'));
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `block-${example.block}.${example.lang}`);
    writeFileSync(file, example.prelude + example.code);
    files.set(file, example);
  }
  for (const mode of MODES) {
    const { problems, global } = check(mode, dir, files);
    results.set(mode, problems);
    globalErrors.push(...global.map((message) => `[${mode}] ${message}`));
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README examples type-check against the built packages', () => {
  it('finds the examples, and every package whose README is checked is a dependency of reliability', () => {
    const manifest = JSON.parse(readFileSync(join(RELIABILITY, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const deps = { ...manifest.dependencies, ...manifest.devDependencies };
    for (const readme of readmes) {
      const { name } = JSON.parse(readFileSync(join(ROOT, readme.replace(/README\.md$/, 'package.json')), 'utf8')) as { name: string };
      expect(deps[name], `${name} (its README is checked) must be a workspace dependency of reliability, so turbo builds it first`).toBe('workspace:^');
      expect(existsSync(join(ROOT, readme.replace(/README\.md$/, 'dist'))), `${name} is not built: pnpm --filter @seedream-kit/reliability... build`).toBe(
        true,
      );
    }
    expect(readmes.length).toBeGreaterThanOrEqual(5);
    expect(examples.filter((e) => e.skip === undefined).length).toBeGreaterThanOrEqual(20);
    for (const example of examples.filter((e) => e.skip !== undefined)) {
      expect(example.skip, `${example.readme} block ${example.block}: a no-check comment needs a reason`).not.toBe('');
    }
  });

  it('the check itself catches mistakes, at the right block and line, in both modes', () => {
    expect(selfTest.map((e) => e.skip)).toEqual([undefined, 'not code', undefined, undefined, undefined]);
    for (const mode of MODES) {
      const found = results
        .get(mode)!
        .filter((p) => p.example.readme === 'self-test/README.md')
        .map((p) => [p.example.block, p.line, p.code]);
      expect(found, `[${mode}] ${report(new Map([[mode, results.get(mode)!.filter((p) => p.example.readme === 'self-test/README.md')]])).join('\n')}`).toEqual(
        SELF_TEST_EXPECTED,
      );
    }
  });

  it('every README example compiles (bundler and node16, strict, exactOptionalPropertyTypes)', () => {
    expect(globalErrors).toEqual([]);
    const real = new Map([...results].map(([mode, problems]) => [mode, problems.filter((p) => p.example.readme !== 'self-test/README.md' && !isKnown(p))]));
    const lines = report(real);
    expect(lines.length, `README examples that do not compile:\n${lines.join('\n')}\n`).toBe(0);
  });

  it.each(KNOWN_FAILURES)('known failure, still failing: $readme "$line" TS$code', (known) => {
    for (const mode of MODES) {
      const still = results.get(mode)!.some((p) => p.example.readme === known.readme && p.code === known.code && p.text.includes(known.line));
      expect(still, `[${mode}] ${known.readme} "${known.line}" no longer fails with TS${known.code} (${known.why}): remove it from KNOWN_FAILURES`).toBe(true);
    }
  });
});
