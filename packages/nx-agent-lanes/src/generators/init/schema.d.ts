export interface InitGeneratorSchema {
  /** Skip formatting nx.json after the change. */
  skipFormat?: boolean;
}
