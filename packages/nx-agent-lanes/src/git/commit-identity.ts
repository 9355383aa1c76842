import { execGit } from './run-git';

/** A name and email git accepts as an author or committer. */
export interface GitPerson {
  name: string;
  email: string;
}

/** Who the lanes branch's commits are by, and, when git knows nobody here, the note to show. */
export interface CommitIdentity {
  author: GitPerson;
  committer: GitPerson;
  /** Set when git has no identity and the plugin's own stands in: one line for the log. */
  fallbackNote?: string;
}

/** Used only where `git commit` itself would refuse for want of an identity (a bare CI machine). */
export const FALLBACK_PERSON: GitPerson = { name: 'nx-agent-lanes', email: 'agent-lanes@localhost' };

/**
 * git's identity variables and the configuration keys that stand for them. run-git drops every
 * GIT_* variable from the environment (see inheritedEnv), so these are passed back as `-c`, which
 * outranks every configuration file just as the variables do.
 */
const IDENTITY_ENV: ReadonlyArray<readonly [string, string]> = [
  ['GIT_AUTHOR_NAME', 'author.name'],
  ['GIT_AUTHOR_EMAIL', 'author.email'],
  ['GIT_COMMITTER_NAME', 'committer.name'],
  ['GIT_COMMITTER_EMAIL', 'committer.email'],
];

/** Pure: the `-c` arguments that carry the identity variables of `env` to git. */
export function planIdentityConfig(env: NodeJS.ProcessEnv): string[] {
  const args: string[] = [];
  for (const [variable, key] of IDENTITY_ENV) {
    const value = env[variable];
    if (value !== undefined && value !== '') args.push('-c', `${key}=${value}`);
  }
  return args;
}

/** Pure: `Name <email> 1700000000 +0000`, as `git var GIT_AUTHOR_IDENT` prints it. */
export function parseIdent(line: string): GitPerson | undefined {
  const match = /^(.*) <([^<>]*)> \d+ [+-]\d{4}$/.exec(line.trim());
  return match && match[1] ? { name: match[1], email: match[2] } : undefined;
}

/** Pure: the `-c` arguments that make `commit-tree` use exactly this identity. */
export function identityArgs(identity: CommitIdentity): string[] {
  const { author, committer } = identity;
  return [
    '-c', `author.name=${author.name}`, '-c', `author.email=${author.email}`,
    '-c', `committer.name=${committer.name}`, '-c', `committer.email=${committer.email}`,
  ];
}

/**
 * The identity `git commit` would use in `repoRoot`: GIT_AUTHOR_* and GIT_COMMITTER_* from `env`,
 * then author.*, committer.* and user.* from the repository's and the user's configuration, then
 * git's own guess (EMAIL, the host name) where git accepts one. A committer git cannot name is the
 * author, as for someone who set only GIT_AUTHOR_*. When git knows no author either, the plugin's
 * own identity stands in with a note: an unattended CI machine often has none, and refusing there
 * would fail a green run over a label.
 */
export async function resolveCommitIdentity(repoRoot: string, env: NodeJS.ProcessEnv): Promise<CommitIdentity> {
  const config = planIdentityConfig(env);
  const ask = async (variable: string) => {
    const result = await execGit(repoRoot, [...config, 'var', variable]);
    return { person: result.exitCode === 0 ? parseIdent(result.stdout) : undefined, said: result.stderr };
  };
  const author = await ask('GIT_AUTHOR_IDENT');
  if (!author.person) {
    const why = /fatal: (.*)/.exec(author.said)?.[1]?.trim();
    return {
      author: FALLBACK_PERSON,
      committer: FALLBACK_PERSON,
      fallbackNote:
        `git has no identity here${why ? ` (${why})` : ''}, so the lanes branch's commits are by ` +
        `${FALLBACK_PERSON.name} <${FALLBACK_PERSON.email}>: set yours with \`git config user.name "Your Name"\` ` +
        'and `git config user.email you@example.com`, or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL.',
    };
  }
  const committer = await ask('GIT_COMMITTER_IDENT');
  return { author: author.person, committer: committer.person ?? author.person };
}
