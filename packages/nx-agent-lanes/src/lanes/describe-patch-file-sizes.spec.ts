import { describePatchRefusals, describePatchWarnings, listPatchFileSizes } from './describe-patch-file-sizes';

const limits = { patchFileWarnBytes: 1024 * 1024, patchFileMaxBytes: 10 * 1024 * 1024 };

describe('describePatchWarnings and describePatchRefusals', () => {
  it('lists the largest file first, sizes for a person', () => {
    expect(listPatchFileSizes([{ path: 'b.csv', bytes: 1536 * 1024 }, { path: 'a.bin', bytes: 3 * 1024 * 1024 }, { path: 'c.txt', bytes: 1536 * 1024 }])).toBe(
      'a.bin (3 MiB), b.csv (1.5 MiB), c.txt (1.5 MiB)',
    );
  });

  it('says nothing without warnings, and one line naming each file and the limit with them', () => {
    expect(describePatchWarnings([], limits)).toEqual([]);
    const [line, ...more] = describePatchWarnings([{ path: 'data/a.json', bytes: 2 * 1024 * 1024 }, { path: 'data/b.json', bytes: 1100 * 1024 }], limits);
    expect(more).toEqual([]);
    expect(line).toMatch(/^warning: lane\.patch carries 2 files larger than limits\.patchFileWarnBytes \(1 MiB\): data\/a\.json \(2 MiB\), data\/b\.json \(1\.1 MiB\)\. /);
  });

  it('names every refused file, the key with its value, the kept worktree and where the next run rescues it', () => {
    const reason = describePatchRefusals({
      refusals: [{ path: 'out/a.bin', bytes: 50_000_000 }, { path: 'out/b.bin', bytes: 12 * 1024 * 1024 }],
      limits,
      worktree: '/tmp/wt/f/api-1',
      branch: 'agent-lanes/f/api/1',
      rescuedDir: '/ws/dist/agent-lanes/f/api/rescued',
    });
    expect(reason).toBe(
      'lane.patch leaves out out/a.bin (47.7 MiB), out/b.bin (12 MiB), larger than limits.patchFileMaxBytes (10 MiB = 10485760): they were not diffed, ' +
        'and stay out of the Nx cache, the lanes branch and the report. They are still in the kept worktree /tmp/wt/f/api-1 (branch agent-lanes/f/api/1), ' +
        "with the rest of the lane's work; the next nx-agent-lanes run saves that work to /ws/dist/agent-lanes/f/api/rescued before removing the worktree. " +
        "Keep such files out of the lane's change (.gitignore, or have the build make them), or raise limits.patchFileMaxBytes for this lane in feature.jsonc, then rerun the lane",
    );
  });
});
