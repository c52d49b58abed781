/**
 * `npm run package`: builds the release archive an admin installs from, relaywatch-<version>.tar.gz,
 * and prints its path as the last line. The archive holds everything needed to run and nothing to
 * build: the compiled program (dist/, compiled afresh so no stale file rides along), the templates
 * and static files, the plugin's files, install.sh, README, SECURITY.md, the licence, package.json
 * and package-lock.json, and the production packages only (those package-lock.json does not mark
 * dev), copied from node_modules/. Unpacked on a server with cPanel's Node.js and no npm, no
 * compiler and no network, `./install.sh` installs it.
 *
 *   node dist/release/package.js [--out DIR]      (default: release/ in the checkout)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

/** Plugin files the archive carries, besides plugin/monitoring/ (plugin/tools/ draws the icon at development time only; acl/ is the WHM privilege's driver). */
const PLUGIN_FILES = ['cgi/index.cgi', 'bin/relaywatch', 'bin/relaywatch-explain', 'acl/Relaywatch.pm', 'acl/Relaywatch/META.pm', 'chkserv.d/relaywatch', 'logrotate.d/relaywatch', 'relaywatch.conf', 'relaywatch.png', 'relaywatch.service'];
const TOP_FILES = ['install.sh', 'README.md', 'SECURITY.md', 'LICENSE', 'package.json', 'package-lock.json'];

interface LockFile {
  packages?: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean; link?: boolean }>;
}

/** The top-level node_modules folders of the production packages (nested ones travel inside them). */
export function productionPackages(repo: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as LockFile;
  const out: string[] = [];
  const missing: string[] = [];
  for (const [p, v] of Object.entries(lock.packages ?? {})) {
    if (!p || v.dev || v.devOptional || v.link) continue;
    if (p.split('node_modules/').length !== 2) continue;
    if (!fs.existsSync(path.join(repo, p, 'package.json'))) {
      if (!v.optional) missing.push(p);
      continue;
    }
    out.push(p);
  }
  if (missing.length) throw new Error(`node_modules/ lacks production packages (run npm ci): ${missing.join(' ')}`);
  return out.sort();
}

export interface PackageResult {
  archive: string;
  /** the folder name inside the archive: relaywatch-<version> */
  folder: string;
}

/** Builds the archive in `outDir` from the checkout at `repo`. */
export function buildReleaseArchive(repo: string = REPO, outDir: string = path.join(repo, 'release')): PackageResult {
  const version = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;
  const folder = `relaywatch-${version}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-package-'));
  try {
    const top = path.join(work, folder);
    fs.mkdirSync(top);
    // The program, compiled afresh from src/.
    const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', path.join(repo, 'tsconfig.json'), '--outDir', path.join(top, 'dist'), '--sourceMap', 'false'], { stdio: 'inherit' });
    fs.cpSync(path.join(repo, 'src/data'), path.join(top, 'dist/data'), { recursive: true });
    fs.chmodSync(path.join(top, 'dist/cli/main.js'), 0o755);
    fs.cpSync(path.join(repo, 'templates'), path.join(top, 'templates'), { recursive: true });
    // Alert rules, dashboard, Nagios and textfile-collector units: for the monitoring side, not installed by install.sh.
    if (fs.existsSync(path.join(repo, 'plugin/monitoring'))) fs.cpSync(path.join(repo, 'plugin/monitoring'), path.join(top, 'plugin/monitoring'), { recursive: true });
    for (const f of PLUGIN_FILES) {
      fs.mkdirSync(path.dirname(path.join(top, 'plugin', f)), { recursive: true });
      fs.copyFileSync(path.join(repo, 'plugin', f), path.join(top, 'plugin', f));
    }
    for (const f of TOP_FILES) fs.copyFileSync(path.join(repo, f), path.join(top, f));
    for (const f of ['install.sh', 'plugin/cgi/index.cgi', 'plugin/bin/relaywatch', 'plugin/bin/relaywatch-explain']) fs.chmodSync(path.join(top, f), 0o755);
    for (const p of productionPackages(repo)) fs.cpSync(path.join(repo, p), path.join(top, p), { recursive: true, dereference: true });
    // The code cache for this Node.js (install.sh makes one for the server's, when it differs).
    execFileSync(process.execPath, [path.join(top, 'dist/boot/buildCodeCache.js')], { stdio: ['ignore', 'ignore', 'inherit'] });

    fs.mkdirSync(outDir, { recursive: true });
    const archive = path.join(path.resolve(outDir), `${folder}.tar.gz`);
    const tmp = `${archive}.tmp-${process.pid}`;
    // Owned by root in the archive, whoever builds it; members in a stable order.
    execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', tmp, '-C', work, folder], { stdio: 'inherit' });
    fs.renameSync(tmp, archive);
    return { archive, folder };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : undefined;
  if (i > 0 && !out) {
    process.stderr.write('usage: node dist/release/package.js [--out DIR]\n');
    process.exit(64);
  }
  const r = buildReleaseArchive(REPO, out ? path.resolve(out) : undefined);
  const size = fs.statSync(r.archive).size;
  process.stdout.write(`relaywatch: built ${r.folder} (${(size / 1024 / 1024).toFixed(1)} MiB)\n${r.archive}\n`);
}
