import { FILE, FILES, problemsOf } from './__fixtures__/read-plan';
import { readFeatureOrThrow } from './read-feature';

/* `featureBudgetUsd`: the cap on the whole feature's spend, beside each lane's `agent.budgetUsd`. */

const lanes = '"lanes": { "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" } }';

describe('readFeature: featureBudgetUsd', () => {
  it('reads the feature cap apart from the per-lane budget default', () => {
    const feature = readFeatureOrThrow({ file: FILE, text: `{ "goal": "g", "contract": "contract.md", "featureBudgetUsd": 5, "agent": { "budgetUsd": 1 }, ${lanes} }`, fileStatus: FILES });
    expect({ cap: feature.featureBudgetUsd, lane: feature.lanes[0].agent.budgetUsd }).toEqual({ cap: 5, lane: 1 });
    expect(readFeatureOrThrow({ file: FILE, text: `{ "goal": "g", "contract": "contract.md", ${lanes} }`, fileStatus: FILES }).featureBudgetUsd).toBeUndefined();
  });

  it('refuses a cap that is not a positive number, where it is written', () => {
    const problems = problemsOf([`{ "goal": "g", "contract": "contract.md", "featureBudgetUsd": 0, ${lanes} }`]);
    expect(problems).toEqual([expect.objectContaining({ line: 1, message: expect.stringContaining('featureBudgetUsd') })]);
  });
});
