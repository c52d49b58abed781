/**
 * The tailwatchd and whmapi1 stand-ins (test/fixtures/standins) installed into a test host tree,
 * their mode files and the log of the calls they received.
 */
import fs from 'node:fs';
import path from 'node:path';

export const STANDINS_SRC = path.resolve(__dirname, '../fixtures/standins');
export const STANDINS_STATE = '/var/relaywatch-standins';

export interface StandinCall {
  program: string;
  argv: string[];
  time: string;
}

function copy(root: string, hostPath: string): void {
  const to = path.join(root, hostPath);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(path.join(STANDINS_SRC, hostPath), to);
  fs.chmodSync(to, 0o755);
}

/**
 * Installs the stand-ins as the generation has them: a modern server has tailwatchd in libexec
 * (and bin), a legacy one only in bin.
 */
export function installStandins(root: string, generation: 'legacy' | 'modern'): void {
  copy(root, '/usr/local/cpanel/bin/tailwatchd');
  copy(root, '/usr/local/cpanel/bin/whmapi1');
  if (generation === 'modern') copy(root, '/usr/local/cpanel/libexec/tailwatchd');
  fs.mkdirSync(path.join(root, STANDINS_STATE), { recursive: true });
}

/** "hang", "fail change", "slow change 400", "normal"… (see the comment at the top of each stand-in). */
export function setStandinMode(root: string, program: 'tailwatchd' | 'whmapi1', mode: string): void {
  fs.mkdirSync(path.join(root, STANDINS_STATE), { recursive: true });
  fs.writeFileSync(path.join(root, STANDINS_STATE, `${program}.mode`), `${mode}\n`);
}

export function readCalls(root: string): StandinCall[] {
  const file = path.join(root, STANDINS_STATE, 'calls.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StandinCall);
}

/** The calls as "program argv…" strings, the program shortened to its last part. */
export function callLines(root: string): string[] {
  return readCalls(root).map((c) => [c.program.split('/').slice(-2).join('/'), ...c.argv].join(' '));
}

export function clearCalls(root: string): void {
  fs.rmSync(path.join(root, STANDINS_STATE, 'calls.log'), { force: true });
}

/** Writes /etc/relaywatch/config.yaml under the root. */
export function writeRelaywatchConfig(root: string, yamlText: string): void {
  const file = path.join(root, '/etc/relaywatch/config.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, yamlText);
}
