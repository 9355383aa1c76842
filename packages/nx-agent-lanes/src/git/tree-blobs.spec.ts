import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError } from '../errors';
import { createTestRepo, runTestGit, type TestRepo } from './create-test-repo';
import { resolveRevision } from './tree-blobs';

/**
 * The base every lane starts from, and the bad inputs around it: each one a GitError whose
 * message alone says what is wrong and what to run (the lane hasher's errors reach the user
 * through Nx, which prints only the message).
 */
describe('resolveRevision', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createTestRepo({ 'a.txt': 'a\n' });
  });
  afterEach(() => repo.cleanup());

  async function failure(cwd: string, rev: string): Promise<GitError> {
    const error = await resolveRevision(cwd, rev).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitError);
    return error as GitError;
  }

  it('resolves HEAD, a branch and a detached HEAD to the commit and its tree', async () => {
    const head = repo.git(['rev-parse', 'HEAD']).trim();
    const tree = repo.git(['rev-parse', 'HEAD^{tree}']).trim();
    expect(await resolveRevision(repo.root, 'HEAD')).toEqual({ commit: head, tree });
    expect(await resolveRevision(repo.root, 'main')).toEqual({ commit: head, tree });
    repo.git(['checkout', '-q', '--detach', 'HEAD']);
    expect(await resolveRevision(repo.root, 'HEAD')).toEqual({ commit: head, tree });
  });

  it('says a folder outside any repository needs git init and a commit', async () => {
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'nx-agent-lanes-nogit-')));
    try {
      const error = await failure(outside, 'HEAD');
      expect(error.message).toBe(
        `${outside} is not inside a git repository, and nx-agent-lanes runs each lane in a git worktree. ` +
          'Run `git init`, commit your workspace (`git add -A && git commit -m "Initial commit"`), then run again.',
      );
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('says a repository with no commits needs a first commit', async () => {
    const empty = path.join(repo.scratch, 'empty');
    fs.mkdirSync(empty);
    runTestGit(['init', '-q'], empty);
    const error = await failure(empty, 'HEAD');
    expect(error.message).toMatch(/^The git repository at .*empty has no commits yet, so the lanes have no base to start from\. Commit your workspace first/);
  });

  it('says a base missing from a shallow clone needs git fetch --unshallow', async () => {
    repo.write('a.txt', 'b\n');
    repo.git(['commit', '-q', '-am', 'second']);
    const first = repo.git(['rev-parse', 'HEAD~1']).trim();
    const clone = path.join(repo.scratch, 'shallow');
    runTestGit(['clone', '-q', '--depth', '1', `file://${repo.root}`, clone], repo.scratch);
    const error = await failure(clone, first);
    expect(error.message).toContain(`The base "${first}" is not in this shallow clone`);
    expect(error.message).toContain('Run `git fetch --unshallow` (in CI, check out with fetch-depth: 0), or change "base" in feature.jsonc.');
  });

  it('says a base that does not exist must be fetched or fixed in feature.jsonc', async () => {
    const error = await failure(repo.root, 'release/9.9');
    expect(error.message).toBe(
      `The base "release/9.9" is not a commit in the repository at ${repo.root}. Fetch it (\`git fetch origin release/9.9\`) or change "base" in feature.jsonc.`,
    );
  });

  it('refuses a base that looks like an option, without running git on it', async () => {
    const error = await failure(repo.root, '--output=/tmp/x');
    expect(error.message).toContain('looks like an option, not a commit');
  });
});
