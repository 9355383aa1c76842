export type CleanExecutorOptions = Record<string, never>;
