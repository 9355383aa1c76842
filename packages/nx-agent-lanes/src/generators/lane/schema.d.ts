export interface LaneGeneratorSchema {
  /** The feature's project name (`name` in feature.jsonc, else its folder's name). */
  feature: string;
  /** The lane's name. */
  name: string;
  /** Workspace-relative files or globs the lane may change; comma-separated or a list. */
  owns: string | string[];
  /** Workspace-relative files or globs the lane must not change; comma-separated or a list. */
  forbids?: string | string[];
  /** The command that must pass on the lane's change alone. */
  test: string;
  /** Lanes whose results this lane starts from; comma-separated or a list. */
  after?: string | string[];
  /** The lane's spec, relative to the feature folder; default `lanes/<name>.md`. */
  spec?: string;
  /** The lane's goal, written into its spec. */
  goal?: string;
  /** Show all of this lane's diffs in the review, whatever `review.risky` says. */
  risky?: boolean;
  /** Skip formatting the changed files. */
  skipFormat?: boolean;
}
