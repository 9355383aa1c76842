export interface AnswerGeneratorSchema {
  /** Feature (project) name. */
  feature: string;
  /** The blocked lane. */
  lane: string;
  /** The one-line answer. */
  answer: string;
  /** The question answered; default the lane's last blocker question. */
  question?: string;
}
