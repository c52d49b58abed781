/**
 * The command as an admin runs it, for the CLI figures: `relaywatch` is install.sh's bin/relaywatch,
 * a shell launcher that finds Node.js and, for `explain`, first runs the Perl quick path next to it
 * (bin/relaywatch-explain). The benchmark lays out an installation of its own in its work folder:
 * bin/ with both files from plugin/bin, dist/ a link to the build being measured, package.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { benchEnv } from './procs';

export interface InstalledCommand {
  /** the launcher, bin/relaywatch */
  path: string;
  /** the environment to run it in: benchEnv, with this Node.js first on PATH (the launcher's pick) */
  env: NodeJS.ProcessEnv;
}

export function installedCommand(work: string, dist: string): InstalledCommand {
  const repo = path.resolve(dist, '..');
  const top = path.join(work, 'installed');
  fs.mkdirSync(path.join(top, 'bin'), { recursive: true });
  for (const f of ['relaywatch', 'relaywatch-explain']) {
    fs.copyFileSync(path.join(repo, 'plugin/bin', f), path.join(top, 'bin', f));
    fs.chmodSync(path.join(top, 'bin', f), 0o755);
  }
  fs.symlinkSync(dist, path.join(top, 'dist'));
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(top, 'package.json'));
  const env = benchEnv({ PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}` });
  // (cPanel's Node.js packages come first for the launcher: on a cPanel server they are what it runs)
  return { path: path.join(top, 'bin/relaywatch'), env };
}
