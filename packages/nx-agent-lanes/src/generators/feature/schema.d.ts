export interface FeatureGeneratorSchema {
  /** The feature's name, which becomes its Nx project name. */
  name: string;
  /** Workspace-relative folder of the plan; default `features/<name>`. */
  directory?: string;
  /** What the feature does for its users, in one sentence. */
  goal?: string;
  /** Skip formatting the generated files. */
  skipFormat?: boolean;
}
