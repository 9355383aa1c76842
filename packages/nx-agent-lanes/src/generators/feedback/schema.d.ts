export interface FeedbackGeneratorSchema {
  /** Feature (project) name. */
  feature: string;
  /** The lane the feedback is for. */
  lane: string;
  /** The feedback, in one line. */
  message: string;
}
