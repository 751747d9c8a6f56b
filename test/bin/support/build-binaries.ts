/**
 * Compiles the code both binaries run into a private directory under dist/ for the binary tests. It transpiles
 * each file on its own (the project is `isolatedModules`), without type checking: typecheck is its own step, and
 * this keeps the build to a second or two and independent of other directories' work in progress.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../../deploy/support/manifests.js';

/** The source trees the binaries import from. */
const SOURCE_DIRS = ['agent', 'coordinator', 'probe', 'shared', 'sim'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

async function transpileOne(file: string, outDir: string): Promise<void> {
  const out = ts.transpileModule(await readFile(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  const target = join(outDir, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, out.outputText);
}

/**
 * Builds into `dist/<name>/` and returns that directory (node_modules still resolve from the repo root);
 * `extraDirs` adds trees such as `test/bench` for scripts that live outside the product.
 */
export async function buildBinaries(name: string, extraDirs: readonly string[] = []): Promise<string> {
  const outDir = join(REPO_ROOT, 'dist', name);
  const files = (await Promise.all([...SOURCE_DIRS, ...extraDirs].map((d) => sourceFiles(join(REPO_ROOT, d))))).flat();
  await Promise.all(files.map((f) => transpileOne(f, outDir)));
  return outDir;
}
