/** Types of story-workspace.js (CommonJS), for e2e/*.e2e.spec.ts. */

export declare const REPO_ROOT: string;
export declare const BUILT_PACKAGE: string;
export declare const FIXTURE_DIR: string;
export declare const PINNED_NX_VERSION: string;

export interface NxRun {
  status: number | null;
  /** stdout then stderr, colours included. */
  output: string;
  durationMs: number;
}

export interface StoryWorkspace {
  root: string;
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
export declare function createNxEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare function createStoryWorkspace(options?: { nxVersion?: string; prefix?: string; log?: (line: string) => void }): StoryWorkspace;
export declare function openStoryWorkspace(root: string): StoryWorkspace;
