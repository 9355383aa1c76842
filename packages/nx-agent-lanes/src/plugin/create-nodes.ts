import { createNodesFromFiles, type CreateNodesContextV2, type CreateNodesV2 } from '@nx/devkit';
import { PlanError, type PlanProblem } from '../errors';
import { describeFeatureOwnership, findFeatureOverlaps } from '../feature/find-feature-overlaps';
import type { ReadFeatureResult } from '../feature/read-feature';
import { buildFeatureProjects } from './feature-targets';
import { normalizePluginOptions, type AgentLanesPluginOptions } from './plugin-options';
import { createFeatureReader, type FeatureReader } from './read-feature-from-disk';

export const FEATURE_FILE_GLOB = '**/feature.jsonc';

/**
 * Every feature.jsonc becomes a feature project (lane--*, verify--*, integrate, clean-lanes)
 * and one project per lane. An invalid plan fails project-graph creation with every problem,
 * located to the character; so do two features that own the same file, since Nx hands this
 * function every feature.jsonc at once and no later step sees them all.
 */
export const createNodesV2: CreateNodesV2<AgentLanesPluginOptions> = [
  FEATURE_FILE_GLOB,
  async (configFiles, options, context: CreateNodesContextV2) => {
    const names = normalizePluginOptions(options);
    const reader = createFeatureReader(context.workspaceRoot);
    const results = readFeatures(reader, configFiles);
    const shared = groupByFile(
      findFeatureOverlaps(
        [...results.values()].flatMap((r) => (r instanceof Error ? [] : describeFeatureOwnership(r))),
        { listFiles: reader.listFiles },
      ),
    );
    return createNodesFromFiles(
      (file) => {
        const result = results.get(file);
        if (result instanceof Error || result === undefined) throw result ?? new Error(`${file} was not read.`);
        const problems = [...result.problems, ...(shared.get(file) ?? [])];
        if (!result.feature || problems.length > 0) throw new PlanError(problems);
        return { projects: buildFeatureProjects(result.feature, names) };
      },
      configFiles,
      options,
      context,
    );
  },
];

/** Nx 22+ reads `createNodes` with the V2 signature; Nx 21 reads `createNodesV2`. */
export const createNodes = createNodesV2;

/** Each file's result, or the error reading it threw (reported against that file alone). */
function readFeatures(reader: FeatureReader, files: readonly string[]): Map<string, ReadFeatureResult | Error> {
  const results = new Map<string, ReadFeatureResult | Error>();
  for (const file of files) {
    try {
      results.set(file, reader.read(file));
    } catch (error) {
      results.set(file, error instanceof Error ? error : new Error(String(error)));
    }
  }
  return results;
}

/** Problems by the file they are in: each of a thousand features takes its own. */
function groupByFile(problems: readonly PlanProblem[]): Map<string, PlanProblem[]> {
  const byFile = new Map<string, PlanProblem[]>();
  for (const problem of problems) {
    const list = byFile.get(problem.file);
    if (list) list.push(problem);
    else byFile.set(problem.file, [problem]);
  }
  return byFile;
}
