/**
 * A copy of the CLI that another user can run wherever the checkout lives: src/ transpiled to
 * JavaScript, with the production packages it loads, in a new world-readable folder. Tests that run
 * the CLI as an unprivileged user need it, since a checkout under a private folder (a `mktemp -d`
 * one is 0700) cannot be entered by that user.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const REPO = path.resolve(__dirname, '../..');

/** Copies the CLI into a new folder (0755) and returns the path of its cli/main.js. Remove the folder's parent when done. */
export function portableCli(): { dir: string; main: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-portable-'));
  fs.chmodSync(dir, 0o755);
  copySources(path.join(REPO, 'src'), path.join(dir, 'src'));
  for (const name of productionPackages()) {
    fs.cpSync(path.join(REPO, 'node_modules', name), path.join(dir, 'node_modules', name), { recursive: true, dereference: true });
  }
  return { dir, main: path.join(dir, 'src/cli/main.js') };
}

function copySources(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    if (e.isDirectory()) copySources(src, path.join(to, e.name));
    else if (e.name.endsWith('.ts')) {
      const js = ts.transpileModule(fs.readFileSync(src, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
      fs.writeFileSync(path.join(to, e.name.replace(/\.ts$/, '.js')), js, { mode: 0o644 });
    } else fs.copyFileSync(src, path.join(to, e.name));
  }
}

/** The package.json dependencies and everything they depend on, as installed (flat) in node_modules. */
function productionPackages(): string[] {
  const readDeps = (pkgDir: string): string[] => {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    return Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
  };
  const seen = new Set<string>();
  const queue = readDeps(REPO);
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const dir = path.join(REPO, 'node_modules', name);
    if (!fs.existsSync(dir)) continue; // an optional dependency not installed here
    seen.add(name);
    queue.push(...readDeps(dir));
  }
  return [...seen];
}
