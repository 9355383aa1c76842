export interface FeedbackGeneratorSchema {
  /** Feature (project) name. */
  feature: string;
  /** The lane the feedback is for. */
  lane: string;
  /** The feedback, in one line. */
  message: string;
  /** Record the feedback even when the lane has no result yet. */
  force?: boolean;
}
