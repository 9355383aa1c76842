#!/usr/bin/env node
// Builds the publishable package into dist/packages/nx-agent-lanes: compiled JS and .d.ts,
// plus the files tsc does not copy (package.json, executors.json, generators.json, schemas,
// generator templates, README). `npm pack dist/packages/nx-agent-lanes` gives what users install.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = join(packageRoot, '..', '..');
const outDir = join(workspaceRoot, 'dist', 'packages', 'nx-agent-lanes');

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(packageRoot, 'tsconfig.lib.json')], { stdio: 'inherit' });

for (const file of ['package.json', 'executors.json', 'generators.json', 'feature.schema.json']) {
  cpSync(join(packageRoot, file), join(outDir, file));
}
const readme = join(workspaceRoot, 'README.md');
if (existsSync(readme)) cpSync(readme, join(outDir, 'README.md'));

// Non-TypeScript assets under src/: schema.json files and generator templates.
function copyAssets(dir) {
  for (const entry of readdirSync(dir)) {
    const from = join(dir, entry);
    const rel = relative(join(packageRoot, 'src'), from);
    if (statSync(from).isDirectory()) {
      if (entry === 'files') {
        cpSync(from, join(outDir, 'src', rel), { recursive: true });
      } else {
        copyAssets(from);
      }
    } else if (entry.endsWith('.json') || entry.endsWith('.md')) {
      mkdirSync(dirname(join(outDir, 'src', rel)), { recursive: true });
      cpSync(from, join(outDir, 'src', rel));
    }
  }
}
copyAssets(join(packageRoot, 'src'));
console.log(`Built nx-agent-lanes into ${relative(workspaceRoot, outDir)}`);
