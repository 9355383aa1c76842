export interface AnswerGeneratorSchema {
  /** Feature (project) name. */
  feature: string;
  /** The blocked lane. */
  lane: string;
  /** The one-line answer. */
  answer: string;
  /** The question answered; default the lane's last blocker question. */
  question?: string;
  /** Record the answer even when the lane is not blocked or has no result. */
  force?: boolean;
}
