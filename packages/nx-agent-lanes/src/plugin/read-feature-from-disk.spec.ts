import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestRepo, type TestRepo } from '../git/create-test-repo';
import { createFeatureReader, probeFile, type ProbeFileOptions } from './read-feature-from-disk';

describe('createFeatureReader', () => {
  let repo: TestRepo;
  const plan = (web: string[], api: string[]) =>
    JSON.stringify({
      goal: 'g',
      contract: 'contract.md',
      lanes: {
        web: { spec: 'lanes/web.md', owns: web, test: 't' },
        api: { spec: 'lanes/api.md', owns: api, test: 't' },
      },
    });

  beforeEach(() => {
    repo = createTestRepo({
      'features/f/contract.md': '#\n',
      'features/f/lanes/web.md': '#\n',
      'features/f/lanes/api.md': '#\n',
      'apps/web/src/button.ts': 'x\n',
      'apps/api/src/route.ts': 'y\n',
    });
  });
  afterEach(() => repo.cleanup());

  it('finds two globs sharing a real workspace file, naming it', () => {
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/**/*.ts']));
    const { problems } = createFeatureReader(repo.root).read('features/f/feature.jsonc');
    expect(problems.map((p) => p.message).join('\n')).toContain('`apps/web/src/button.ts`');
  });

  it('accepts globs in unrelated folders without listing files', () => {
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/api/**']));
    const { feature, problems } = createFeatureReader(repo.root).read('features/f/feature.jsonc');
    expect(problems).toEqual([]);
    expect(feature?.lanes.map((l) => l.name)).toEqual(['web', 'api']);
  });

  it('reuses a validated plan for the same text, and validates changed text again', () => {
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/api/**']));
    const first = createFeatureReader(repo.root).read('features/f/feature.jsonc');
    expect(createFeatureReader(repo.root, { reuseValidated: true }).read('features/f/feature.jsonc')).toBe(first);
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/web/src/button.ts']));
    const changed = createFeatureReader(repo.root, { reuseValidated: true }).read('features/f/feature.jsonc');
    expect(changed.problems).toHaveLength(1);
  });

  describe('a plan file that resolves outside the workspace', () => {
    let outside: string;
    beforeEach(() => {
      outside = mkdtempSync(join(tmpdir(), 'outside-workspace-'));
      writeFileSync(join(outside, 'secret.md'), 'not for the prompt\n');
      mkdirSync(join(outside, 'folder'));
      writeFileSync(join(outside, 'folder', 'contract.md'), 'nor this\n');
    });
    afterEach(() => rmSync(outside, { recursive: true, force: true }));

    it('is refused when the plan is read, at the value naming it, with what to do', () => {
      rmSync(join(repo.root, 'features/f/lanes/web.md'));
      symlinkSync(join(outside, 'secret.md'), join(repo.root, 'features/f/lanes/web.md'));
      symlinkSync(join(outside, 'folder'), join(repo.root, 'features/f/shared'));
      repo.write(
        'features/f/feature.jsonc',
        [
          '{',
          '  "goal": "g",',
          '  "contract": "shared/contract.md",',
          '  "lanes": {',
          '    "web": { "spec": "lanes/web.md", "owns": ["apps/web/**"], "test": "t" },',
          '    "api": { "spec": "lanes/api.md", "owns": ["apps/api/**"], "test": "t" }',
          '  }',
          '}',
        ].join('\n'),
      );
      const { feature, problems } = createFeatureReader(repo.root).read('features/f/feature.jsonc');
      expect(feature).toBeUndefined();
      expect(problems.map((p) => [p.file, p.line, p.column, p.message.split(':')[0]])).toEqual([
        ['features/f/feature.jsonc', 3, 15, 'The contract `features/f/shared/contract.md` is a symbolic link (or inside one) that resolves outside the workspace, so it is refused'],
        ['features/f/feature.jsonc', 5, 22, 'The spec of lane `web` `features/f/lanes/web.md` is a symbolic link (or inside one) that resolves outside the workspace, so it is refused'],
      ]);
      expect(problems[0].message).toContain('Copy the file into the workspace in place of the link, or point `contract` at a file inside it.');
    });

    it('tells a link that stays inside the workspace, a dangling link and a link loop apart from one that leaves', () => {
      symlinkSync('web.md', join(repo.root, 'features/f/lanes/alias.md'));
      symlinkSync('nowhere.md', join(repo.root, 'features/f/lanes/dangling.md'));
      symlinkSync('loop.md', join(repo.root, 'features/f/lanes/loop.md'));
      symlinkSync(join(outside, 'secret.md'), join(repo.root, 'features/f/lanes/away.md'));
      const probe = (p: string) => probeFile(repo.root, `features/f/lanes/${p}`);
      expect(['alias.md', 'dangling.md', 'loop.md', 'away.md'].map(probe)).toEqual(['file', 'missing', 'unreadable', 'outside-workspace']);
    });

    it('judges the same with each folder resolved once for many paths, a link to a folder outside written with a trailing slash too', () => {
      symlinkSync(join(outside, 'secret.md'), join(repo.root, 'features/f/lanes/away.md'));
      symlinkSync(outside, join(repo.root, 'features/f/lanes/away'));
      symlinkSync(outside, join(repo.root, 'features/f/elsewhere'));
      writeFileSync(join(outside, 'inside-away.md'), 'x');
      const resolved: string[] = [];
      const realFolder = (folder: string) => {
        resolved.push(folder);
        return realpathSync.native(folder);
      };
      const paths = ['lanes/web.md', 'lanes/away.md', 'lanes/away', 'lanes/away/', 'lanes/away/inside-away.md', 'elsewhere/inside-away.md', 'lanes'];
      const probe = (options: ProbeFileOptions) => paths.map((p) => probeFile(repo.root, `features/f/${p}`, options));
      expect(probe({ realFolder })).toEqual(probe({}));
      expect(probe({})).toEqual(['file', 'outside-workspace', 'outside-workspace', 'outside-workspace', 'outside-workspace', 'outside-workspace', 'directory']);
      expect(resolved.length).toBeGreaterThan(0);
    });

    it('judges by the real workspace root, so a workspace reached through a link reads its own files', () => {
      const link = join(outside, 'workspace-link');
      symlinkSync(repo.root, link);
      expect(probeFile(link, 'features/f/lanes/web.md')).toBe('file');
    });
  });
});
