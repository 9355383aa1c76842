import { workspaceRoot, type CustomHasher, type Hash, type HasherContext, type Task } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, Lane } from '../feature/feature-types';
import { listTreeBlobs, resolveRevision } from '../git/tree-blobs';
import { isVerifyTarget } from '../layout';
import { notesForLane } from '../notes/lane-notes';
import { readFeatureNotes } from '../notes/read-feature-notes';
import { createFeatureReader, findLane } from '../plugin/read-feature-from-disk';
import { ownedBlobs, planLaneHash, planVerifyHash } from './lane-hash';

/**
 * Custom hasher of the agent-lane and verify-lane executors (executors.json `hasher`).
 * Nx would fold the whole project configuration into every task's hash, so one lane's edit
 * would rerun every agent; this hashes each lane's own inputs instead. Nx hashes a task with
 * a custom hasher only once its dependencies are done, so upstream hashes are known here.
 */
export const laneHasher: CustomHasher = async (task: Task, context: HasherContext): Promise<Hash> => {
  const { feature, lane, root } = readTaskLane(task, context);
  const base = await resolveRevision(root, feature.base ?? 'HEAD');
  const dependencyHashes = (context.taskGraph.dependencies[task.id] ?? [])
    .map((id) => context.taskGraph.tasks[id])
    .filter((t) => t.target.project === task.target.project)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((t) => `${t.target.target}=${t.hash}`);

  if (isVerifyTarget(task.target.target)) {
    const { value, nodes } = planVerifyHash({
      feature,
      lane,
      laneTaskHashes: dependencyHashes,
      baseTree: base.tree,
      overrides: task.overrides,
    });
    return { value, details: { command: `nx-agent-lanes verify ${feature.name}/${lane.name}`, nodes } };
  }

  const blobs = await listTreeBlobs(root, base.commit);
  const notes = notesForLane(readFeatureNotes(root, feature), lane.name);
  const { value, nodes } = planLaneHash({
    feature,
    lane,
    contract: readFileSync(join(root, feature.contractPath), 'utf8'),
    spec: readFileSync(join(root, lane.specPath), 'utf8'),
    notes,
    owned: ownedBlobs(lane, blobs),
    upstream: dependencyHashes,
    env: { ANTHROPIC_BASE_URL: process.env.ANTHROPIC_BASE_URL },
    overrides: task.overrides,
  });
  return { value, details: { command: `nx-agent-lanes lane ${feature.name}/${lane.name}`, nodes } };
};

function readTaskLane(task: Task, context: HasherContext): { feature: Feature; lane: Lane; root: string } {
  const project = context.projectsConfigurations.projects[task.target.project];
  const laneName = project?.targets?.[task.target.target]?.options?.lane as string | undefined;
  const root = workspaceRoot;
  // Nx hashes every lane and verify task of a feature: validate the plan once per text.
  const feature = createFeatureReader(root, { reuseValidated: true }).readOrThrow(`${project.root}/feature.jsonc`);
  return { feature, lane: findLane(feature, laneName), root };
}

export default laneHasher;
