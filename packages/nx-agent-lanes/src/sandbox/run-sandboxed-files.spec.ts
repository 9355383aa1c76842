import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { SandboxIsolation } from './decide-sandbox';
import { type SandboxWorld, createSandboxWorld, requireBwrap, runIn } from './__fixtures__/sandbox-fixture';

/*
 * What the sandbox promises about files, with the real bubblewrap: a lane's processes write only
 * to its worktree and scratch folder. docs/security.md cites these tests by name.
 */

let world: SandboxWorld;
let bwrap: SandboxIsolation;

beforeAll(() => {
  bwrap = requireBwrap();
});
beforeEach(() => {
  world = createSandboxWorld();
});
afterEach(() => world.remove());

/** Every file under `dir` with a hash of its content (and symlink targets), to compare before and after. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(full);
      else if (stat) out[full] = createHash('sha1').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** A shell line that tries `action` on each path and prints WROTE or DENIED with it. */
function attempt(action: string, paths: string[]): string {
  return paths.map((p) => `if (${action.replace(/\{\}/g, `'${p}'`)}) 2>/dev/null; then echo "WROTE ${p}"; else echo "DENIED ${p}"; fi`).join('\n');
}

describe('runSandboxed: files', () => {
  it('lets the process write its worktree and scratch folder, with a private empty HOME and TMPDIR there', async () => {
    const run = await runIn(world, bwrap, {
      command: 'echo lane > result.txt && echo s > "$TMPDIR/t" && echo h > "$HOME/h" && ls -A "$HOME" && echo "HOME=$HOME TMPDIR=$TMPDIR"',
    });
    expect(run).toMatchObject({ exitCode: 0, sandboxed: true });
    expect(readFileSync(join(world.worktree, 'result.txt'), 'utf8')).toBe('lane\n');
    expect(readFileSync(join(world.scratch, 'tmp', 't'), 'utf8')).toBe('s\n');
    expect(run.stdout).toEqual(['h', `HOME=${world.scratch}/home TMPDIR=${world.scratch}/tmp`]);
  });

  it.each([
    ['visible read-only', true],
    ['not visible (under /tmp, as in this test), its git dirs read-only', false],
  ])(
    "refuses writes to the user's repository (%s), its .git (hooks, config, refs), the worktree's git dir and .git file, node_modules and home",
    async (_, repoVisible) => {
      const realHomeProbe = join(homedir(), `.nx-agent-lanes-sandbox-probe-${process.pid}`);
      const targets = [
        join(world.repo, 'README.md'),
        join(world.repo, 'new-file.txt'),
        join(world.commonDir, 'hooks', 'pre-commit'),
        join(world.commonDir, 'config'),
        join(world.commonDir, 'refs', 'heads', 'main'),
        join(world.worktreeGitDir, 'HEAD'),
        join(world.worktree, '.git'),
        join(world.worktree, 'node_modules', 'pkg', 'index.js'),
        join(world.repo, 'node_modules', '.bin-planted'),
        realHomeProbe,
      ];
      const before = { repo: fingerprint(world.repo), worktreeDotGit: readFileSync(join(world.worktree, '.git'), 'utf8') };
      const run = await runIn(world, bwrap, {
        readable: repoVisible ? [world.repo] : [join(world.repo, 'node_modules')],
        command: [
          attempt('echo planted >> {}', targets),
          attempt('mv {} {}.moved', [join(world.worktree, '.git'), join(world.commonDir, 'config'), join(world.commonDir, 'HEAD')]),
          attempt(`git -C '${world.worktree}' -c user.name=a -c user.email=a@a commit -q --allow-empty -m x`, ['(git commit)']),
          attempt(`git -C '${world.worktree}' config core.hooksPath /x`, ['(git config)']),
          attempt(`git -C '${world.worktree}' update-ref refs/heads/main HEAD`, ['(git update-ref)']),
        ].join('\n'),
      });
      expect(run.exitCode).toBe(0);
      // Not visible, the repository's folder inside is part of the private /tmp (holding the mount
      // points of its git dirs): a file written there goes into that tmpfs and vanishes with it.
      const vanished = repoVisible ? [] : [`WROTE ${targets[0]}`, `WROTE ${targets[1]}`];
      expect(run.stdout.filter((l) => l.startsWith('WROTE'))).toEqual(vanished);
      expect(run.stdout).toHaveLength(targets.length + 6);
      expect(fingerprint(world.repo)).toEqual(before.repo);
      expect(readFileSync(join(world.worktree, '.git'), 'utf8')).toBe(before.worktreeDotGit);
      expect(existsSync(realHomeProbe)).toBe(false);
    },
  );

  it('still lets git read the lane worktree (status, diff, log) through its read-only git dirs', async () => {
    writeFileSync(join(world.worktree, 'README.md'), 'changed\n');
    const run = await runIn(world, bwrap, { command: 'git status --porcelain && git diff --stat && git log --oneline | wc -l' });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toEqual([' M README.md', ' README.md | 2 +-', ' 1 file changed, 1 insertion(+), 1 deletion(-)', '1']);
  });

  it("hides the user's home (and any hidden path) but keeps PATH folders under it usable", async () => {
    const fakeHome = join(world.top, 'home-of-user');
    const bin = join(fakeHome, '.local', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(fakeHome, '.ssh-key'), 'secret\n');
    writeFileSync(join(bin, 'user-tool'), '#!/bin/sh\necho tool ran\n', { mode: 0o755 });
    const run = await runIn(world, bwrap, {
      hidden: [fakeHome],
      env: { PATH: `${bin}:/usr/bin:/bin` },
      command: `ls -A '${fakeHome}'; cat '${fakeHome}/.ssh-key' 2>&1 || echo unreadable; user-tool; ls -A '${homedir()}' | wc -l`,
    });
    expect(run.stdout).toEqual(['.local', `cat: ${fakeHome}/.ssh-key: No such file or directory`, 'unreadable', 'tool ran', expect.any(String)]);
    // The default hides the real home too when it is not the one hidden: here only the fake one is.
    const defaults = await runIn(world, bwrap, { command: `ls -A '${homedir()}' | wc -l` });
    expect(defaults.stdout).toEqual(['0']);
  });

  it('mounts a readable folder at another place read-only (node_modules into a worktree without the link)', async () => {
    const plain = join(world.top, 'plain-worktree');
    mkdirSync(join(plain, 'node_modules'), { recursive: true });
    const run = await runIn(world, bwrap, {
      cwd: plain,
      writable: [plain],
      readable: [{ path: join(world.repo, 'node_modules'), at: join(plain, 'node_modules') }],
      command: `cat node_modules/pkg/index.js; ${attempt('echo x >> {}', [join(plain, 'node_modules', 'pkg', 'index.js')])}`,
    });
    expect(run.stdout).toEqual(['module.exports = 1;', `DENIED ${join(plain, 'node_modules', 'pkg', 'index.js')}`]);
    expect(readdirSync(join(plain, 'node_modules'))).toEqual([]);
  });

  it("gives the process private /tmp and /run: the host's files and sockets there (tmux, the Nx daemon, Docker) are out of reach", async () => {
    const canary = join(tmpdir(), `nx-agent-lanes-canary-${process.pid}`);
    const server = createServer().listen(join(world.top, 'host.sock'));
    writeFileSync(canary, 'host file\n');
    try {
      const run = await runIn(world, bwrap, { command: `ls -A /run; ls -A /tmp; cat '${canary}' 2>/dev/null || echo no canary; ls '${world.top}'` });
      // /tmp holds only the mount points of the lane's own folders, /run nothing.
      // (`repo` holds the mount points of the worktree's git dirs, mounted back read-only.)
      expect(run.stdout).toEqual([basename(world.top), 'no canary', 'repo', 'scratch', 'worktrees']);
    } finally {
      server.close();
      rmSync(canary, { force: true });
    }
  });

  it('refuses a writable path that is a git directory or the whole file system', async () => {
    await expect(runIn(world, bwrap, { command: 'true', writable: [world.commonDir] })).rejects.toThrow(/inside a \.git directory/);
    await expect(runIn(world, bwrap, { command: 'true', writable: ['/'] })).rejects.toThrow(/whole file system/);
  });
});
