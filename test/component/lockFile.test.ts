/**
 * The lock file that serialises changes across relaywatch processes (daemon and CLI).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { acquireLockFile, Host, LockBusyError } from '../../src/host/host';
import { makeHostTree, removeTree } from '../helpers/hostTree';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

test('a lock held by a running process is not taken; a stale one is', async () => {
  const root = makeHostTree();
  roots.push(root);
  const host = new Host(root);
  const lock = '/var/lib/relaywatch/control.lock';
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    fs.mkdirSync(path.join(root, 'var/lib/relaywatch'), { recursive: true });
    fs.writeFileSync(path.join(root, lock), `${other.pid}\n`);
    await expect(acquireLockFile(host, lock, 300)).rejects.toBeInstanceOf(LockBusyError);
  } finally {
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
  }
  // The owner is gone: the lock is stale and taken over.
  const release = await acquireLockFile(host, lock, 300);
  expect(fs.readFileSync(path.join(root, lock), 'utf8').trim()).toBe(String(process.pid));
  await release();
  expect(fs.existsSync(path.join(root, lock))).toBe(false);
});

test('two holders in one process queue on the file', async () => {
  const root = makeHostTree();
  roots.push(root);
  const host = new Host(root);
  const release = await acquireLockFile(host, '/x.lock', 0);
  fs.writeFileSync(path.join(root, 'x.lock'), '999999999\n'); // a pid that cannot exist: stale
  const second = await acquireLockFile(host, '/x.lock', 0);
  await second();
  await release();
});
