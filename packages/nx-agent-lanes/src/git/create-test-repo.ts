/**
 * Test support for the git specs: a real repository in os.tmpdir() with one commit and a
 * local identity. Not used by the plugin at run time.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestRepo {
  /** Real path of the checkout. */
  root: string;
  /** Real path of a scratch folder beside it (for worktrees, clones), removed by cleanup. */
  scratch: string;
  /** Runs git in the checkout (or `cwd`) and returns stdout. */
  git(args: string[], cwd?: string): string;
  write(relative: string, content: string | Buffer, cwd?: string): void;
  read(relative: string, cwd?: string): string;
  cleanup(): void;
}

/** The environment for test git commands, without GIT_* variables leaking in from a hook or CI. */
export function testGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^GIT_/i.test(key)) env[key] = value;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1' };
}

export function runTestGit(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, env: testGitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createTestRepo(files: Record<string, string | Buffer> = { 'README.md': '# test\n' }): TestRepo {
  const top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'nx-agent-lanes-git-')));
  const root = path.join(top, 'repo');
  const scratch = path.join(top, 'scratch');
  fs.mkdirSync(root);
  fs.mkdirSync(scratch);
  const git = (args: string[], cwd = root) => runTestGit(args, cwd);
  const write = (relative: string, content: string | Buffer, cwd = root) => {
    const file = path.join(cwd, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  };
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Test User']);
  git(['config', 'user.email', 'test@example.com']);
  git(['config', 'commit.gpgSign', 'false']);
  for (const [relative, content] of Object.entries(files)) write(relative, content);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'Initial commit']);
  return {
    root,
    scratch,
    git,
    write,
    read: (relative, cwd = root) => fs.readFileSync(path.join(cwd, relative), 'utf8'),
    cleanup: () => fs.rmSync(top, { recursive: true, force: true }),
  };
}
