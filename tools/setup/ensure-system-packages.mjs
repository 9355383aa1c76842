#!/usr/bin/env node
/**
 * What npm cannot install, the tests need from the system: tmux (the TUI e2e drives Nx in a real
 * terminal), bubblewrap and socat (every lane process runs in a bubblewrap sandbox, and socat
 * bridges the API proxy's socket into it; the sandbox tests use the real ones). As
 * `playwright install --with-deps` does, install what is missing with apt-get when running as
 * root; otherwise stop at once and name the one command to run.
 */
import { spawnSync } from 'node:child_process';

const PACKAGES = [
  { command: 'tmux', debian: 'tmux', why: 'the TUI e2e runs Nx in a real terminal' },
  { command: 'bwrap', debian: 'bubblewrap', why: 'lane processes run in its sandbox' },
  { command: 'socat', debian: 'socat', why: 'it bridges the API proxy into the sandbox' },
];

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = PACKAGES.filter((p) => !has(p.command));
if (missing.length === 0) process.exit(0);

const names = missing.map((p) => p.debian).join(' ');
const why = missing.map((p) => `${p.command} (${p.why})`).join(', ');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = has('apt-get');
if (!isRoot || !hasApt) {
  console.error(`The tests need ${why}, which is not installed.`);
  console.error(hasApt ? `Install it with: sudo apt-get update && sudo apt-get install -y ${names}` : `Install ${names} with your system's package manager, then run npm test again.`);
  process.exit(1);
}
console.log(`Installing ${names} with apt-get: ${why}.`);
const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', '--no-install-recommends', ...missing.map((p) => p.debian)])) {
  console.error(`apt-get could not install ${names}; install it by hand and run npm test again.`);
  process.exit(1);
}
const still = missing.filter((p) => !has(p.command));
if (still.length) {
  console.error(`${still.map((p) => p.command).join(', ')} still not found after apt-get install.`);
  process.exit(1);
}
