import { FALLBACK_PERSON, parseIdent, planIdentityConfig, resolveCommitIdentity } from './commit-identity';
import { createTestRepo, type TestRepo } from './create-test-repo';

describe('planIdentityConfig', () => {
  it("carries git's identity variables as configuration, and nothing else", () => {
    expect(planIdentityConfig({ GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: '', HOME: '/h', GIT_DIR: '/x' })).toEqual([
      '-c', 'author.name=Ada', '-c', 'author.email=ada@example.com',
    ]);
    expect(planIdentityConfig({})).toEqual([]);
  });
});

describe('parseIdent', () => {
  it('reads what git var prints', () => {
    expect(parseIdent('Ada Lovelace <ada@example.com> 1796139173 +0100\n')).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(parseIdent('<ada@example.com> 1796139173 +0100')).toBeUndefined();
    expect(parseIdent('garbage')).toBeUndefined();
  });
});

describe('resolveCommitIdentity', () => {
  let repo: TestRepo;
  let home: string | undefined;
  beforeEach(() => {
    repo = createTestRepo();
    // The machine's own ~/.gitconfig must not answer for the repository.
    home = process.env.HOME;
    process.env.HOME = repo.scratch;
  });
  afterEach(() => {
    process.env.HOME = home;
    repo.cleanup();
  });

  it("is the repository's user.name and user.email", async () => {
    const person = { name: 'Test User', email: 'test@example.com' };
    expect(await resolveCommitIdentity(repo.root, {})).toEqual({ author: person, committer: person });
  });

  it('lets GIT_AUTHOR_* and GIT_COMMITTER_* win, as git does', async () => {
    const identity = await resolveCommitIdentity(repo.root, { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_EMAIL: 'ci@example.com' });
    expect(identity).toEqual({ author: { name: 'Ada Lovelace', email: 'ada@example.com' }, committer: { name: 'Test User', email: 'ci@example.com' } });
  });

  it('takes the author as committer when git can name only the author', async () => {
    repo.git(['config', '--unset', 'user.name']);
    repo.git(['config', '--unset', 'user.email']);
    repo.git(['config', 'user.useConfigOnly', 'true']);
    const identity = await resolveCommitIdentity(repo.root, { GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com' });
    expect(identity.committer).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(identity.fallbackNote).toBeUndefined();
  });

  it("falls back to the plugin's identity, with a note saying how to set one, when git knows nobody", async () => {
    repo.git(['config', '--unset', 'user.name']);
    repo.git(['config', '--unset', 'user.email']);
    // Whatever the host name: git would otherwise guess an address on a host with a domain.
    repo.git(['config', 'user.useConfigOnly', 'true']);
    const identity = await resolveCommitIdentity(repo.root, {});
    expect(identity.author).toEqual(FALLBACK_PERSON);
    expect(identity.committer).toEqual(FALLBACK_PERSON);
    expect(identity.fallbackNote).toMatch(/^git has no identity here \(.+\), so the lanes branch's commits are by nx-agent-lanes <agent-lanes@localhost>: set yours with `git config user.name "Your Name"`/);
    expect(identity.fallbackNote).not.toContain('\n');
  });
});
