import * as story from '../tools/demo/export-story';
import type { Story, StoryStep } from '../tools/demo/export-story';
import { createStoryWorkspace } from '../tools/demo/story-workspace';

/**
 * The core of the export story under Nx 23 instead of the pinned 22.7.8: the plugin must load
 * (createNodesV2), infer the same targets, cache per lane and integrate the same way. The newest
 * 23.x when this was written (`npm view nx@23 version`); NX23_VERSION overrides it. Nx 23 wants
 * Node 22 but ran on this Node 20 in a smoke test, which is what this checks for the plugin.
 */
const NX_23 = process.env.NX23_VERSION ?? '23.3.2';

describe(`the export story under nx@${NX_23}`, () => {
  let ctx: Story;
  const play = async (id: StoryStep['id']) => {
    const step = story.STEPS.find((s) => s.id === id)!;
    const o = await step.run(ctx);
    expect({ step: id, problems: step.check(o) }).toEqual({ step: id, problems: [] });
    return o;
  };

  beforeAll(async () => {
    const ws = createStoryWorkspace({ nxVersion: NX_23, prefix: 'nx-agent-lanes-e2e-nx23-' });
    const replay = await story.startReplayBackend();
    ctx = { ws, server: replay.server, agentEnv: replay.env };
    await story.prepareStory(ctx);
  });

  afterAll(async () => {
    await ctx?.server?.close();
    ctx?.ws.dispose();
  });

  it('installs Nx 23 and infers the feature project from feature.jsonc', async () => {
    expect(ctx.ws.readJson('node_modules/nx/package.json').version).toBe(NX_23);
    expect(ctx.ws.readJson('node_modules/@nx/devkit/package.json').version).toBe(NX_23);
    await play('plan');
  });

  it('blocks export-logic while the other lanes finish, then resumes it alone after the answer', async () => {
    const launch = await play('launch');
    expect(launch.results['export-logic'].status).toBe('blocked');
    await play('answer');
    const resume = await play('resume');
    expect(resume.requests).toEqual({ 'export-logic': 6 });
    expect(resume.integration!.report.outcome).toBe('integration-test-failed');
  });

  it('goes green after one line of feedback to the frontend, then reruns from cache alone', async () => {
    await play('feedback');
    const fix = await play('fix');
    expect(fix.requests).toEqual({ 'frontend-feedback': 4 });
    expect(fix.commits).toHaveLength(4);
    const rerun = await play('rerun');
    expect(rerun.requests).toEqual({});
  });
});
