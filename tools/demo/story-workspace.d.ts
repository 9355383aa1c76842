/** Types of story-workspace.js (CommonJS), for e2e/*.e2e.spec.ts. */

export declare const REPO_ROOT: string;
export declare const BUILT_PACKAGE: string;
export declare const FIXTURE_DIR: string;
export declare const PINNED_NX_VERSION: string;
export declare const AGENT_SDK_PACKAGE: string;
export declare const AGENT_SDK_VERSION: string;

export interface NxRun {
  status: number | null;
  /** stdout then stderr, colours included. */
  output: string;
  durationMs: number;
}

export interface StoryWorkspace {
  root: string;
  /** The node that runs nx and, first on PATH, its tasks. */
  nodeBinary: string;
  nx(args: string[], options?: { env?: NodeJS.ProcessEnv }): Promise<NxRun>;
  git(args: string[]): string;
  commitAll(message: string): string;
  path(relative: string): string;
  exists(relative: string): boolean;
  read(relative: string): string;
  readJson<T = any>(relative: string): T;
  dispose(): void;
}

export declare function findBuildReason(options?: { packageSource?: string; builtPackage?: string }): string | undefined;
export declare function ensurePackageBuilt(options?: { repoRoot?: string; log?: (line: string) => void }): { built: boolean; reason?: string };
export declare function packPlugin(options: { dest: string; builtPackage?: string }): string;
export declare function createNxEnv(extra?: NodeJS.ProcessEnv, options?: { nodeBinary?: string }): NodeJS.ProcessEnv;
/** PATH and npm's pointers to node for another Node than this process's; {} for this one. */
export declare function nodeEnv(nodeBinary: string): NodeJS.ProcessEnv;
export declare function nxBin(root: string): string;

export interface WorkspaceOptions {
  /** A folder copied in first (node_modules, dist, .nx and vendor skipped). */
  fixture?: string;
  /** Paths relative to the fixture left out of the copy. */
  omit?: string[];
  /** Files written after the fixture, by path relative to the workspace. */
  files?: Record<string, string>;
  nxVersion?: string;
  /** A prepared install to copy instead of running npm install (MatrixInstall.dir). */
  install?: string;
  /** The plugin's tarball when the caller packed it already. */
  tarball?: string;
  extraDevDependencies?: Record<string, string>;
  prefix?: string;
  gitUser?: { name: string; email: string };
  log?: (line: string) => void;
}

export declare function createWorkspace(options?: WorkspaceOptions): string;
export declare function createStoryWorkspace(options?: {
  nxVersion?: string;
  /** The fixture without features/: the story from the goal, where decompose writes the plan. */
  withoutPlan?: boolean;
  /** A prepared install, or another story workspace, whose packages are copied. */
  install?: string;
  extraDevDependencies?: Record<string, string>;
  nodeBinary?: string;
  prefix?: string;
  log?: (line: string) => void;
}): StoryWorkspace;
export declare function openStoryWorkspace(root: string, options?: { nodeBinary?: string }): StoryWorkspace;
