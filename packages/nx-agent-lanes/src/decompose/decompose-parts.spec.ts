import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDecomposePrompt, buildRetryTask, describeReview } from './build-decompose-prompt';
import { checkProposal } from './check-proposal';
import { readProposeInput } from './decompose-tools';
import type { Proposal } from './decompose-types';
import { describeTargetCommand, renderWorkspace, selectFiles, summarizeProjects, type WorkspaceGraph } from './describe-workspace';
import { readProposalFolder } from './read-proposal-folder';

const plan = (lanes: Record<string, { owns: string[]; test?: string }>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    goal: 'Carts in any currency',
    contract: 'contract.md',
    lanes: Object.fromEntries(Object.entries(lanes).map(([name, l]) => [name, { spec: `lanes/${name}.md`, test: l.test ?? 'node -e 0', owns: l.owns }])),
    ...extra,
  }, null, 2);
const proposalOf = (text: string, lanes: string[]) => ({
  files: { 'feature.jsonc': text, 'contract.md': '# Contract\n', ...Object.fromEntries(lanes.map((l) => [`lanes/${l}.md`, `# Lane: ${l}\n`])) },
});

describe('summarizeProjects', () => {
  const graph: WorkspaceGraph = {
    nodes: {
      shop: { name: 'shop', type: 'app', data: { root: 'apps/shop', tags: ['scope:shop'], targets: { test: { executor: 'nx:run-commands', options: { command: 'node --test apps/shop' } }, build: { executor: 'x:y' } } } },
      rates: { name: 'rates', type: 'lib', data: { root: 'libs/rates', targets: { test: { executor: 'nx:run-script', options: { script: 'test' } }, 'e2e-ci': { executor: '@nx/playwright:playwright' } } } },
      plan: { name: 'plan', type: 'lib', data: { root: 'features/plan', targets: { integrate: { executor: 'nx-agent-lanes:integrate' } } } },
    },
    dependencies: { shop: [{ target: 'rates' }, { target: 'npm:lodash' }], rates: [] },
  };

  it('lists each project with its root, type, tags, dependencies and test commands, and not the plans', () => {
    expect(summarizeProjects(graph)).toEqual([
      { name: 'shop', root: 'apps/shop', type: 'app', tags: ['scope:shop'], dependsOn: ['rates'], tests: [{ target: 'test', command: 'node --test apps/shop' }] },
      {
        name: 'rates',
        root: 'libs/rates',
        type: 'lib',
        tags: [],
        dependsOn: [],
        tests: [
          { target: 'test', command: 'npm run test' },
          { target: 'e2e-ci', command: 'npx nx run rates:e2e-ci (@nx/playwright:playwright)' },
        ],
      },
    ]);
  });

  it('says what a target runs: its command, its commands, its script, else nx run', () => {
    expect(describeTargetCommand('p', 't', { command: 'a' })).toBe('a');
    expect(describeTargetCommand('p', 't', { options: { commands: ['a', { command: 'b' }] } })).toBe('a && b');
    expect(describeTargetCommand('p', 't', { executor: '@nx/jest:jest' })).toBe('npx nx run p:t (@nx/jest:jest)');
  });
});

describe('selectFiles', () => {
  const projects = summarizeProjects({
    nodes: {
      web: { name: 'web', type: 'app', data: { root: 'apps/web' } },
      billing: { name: 'billing', type: 'lib', data: { root: 'libs/billing' } },
    },
    dependencies: {},
  });
  const files: Record<string, string[]> = {
    'apps/web': Array.from({ length: 50 }, (_, i) => `apps/web/src/page-${i}.js`),
    'libs/billing': ['libs/billing/src/invoice.js', 'libs/billing/src/invoice.test.js'],
  };

  it('lists the projects the goal names first, within the bounds, and counts the rest', () => {
    const listed = selectFiles({ goal: 'Download invoices as CSV from billing', projects, filesOf: (r) => files[r], bounds: { total: 10, perProject: 8 } });
    expect(listed[0]).toEqual({ root: 'libs/billing', files: files['libs/billing'], more: 0 });
    expect(listed[1]).toEqual({ root: 'apps/web', files: files['apps/web'].slice(0, 8), more: 42 });
    const text = renderWorkspace(projects, listed);
    expect(text).toContain('apps/web/ (50 files, 42 not listed):');
    expect(text).not.toContain('page-8.js');
  });
});

describe('checkProposal', () => {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('apps/shop/src/cart.js', 'exports.cart = 1;\n');
  tree.write('libs/rates/src/index.js', 'exports.rates = 1;\n');
  const check = (proposal: Proposal, lanes?: number) => checkProposal({ tree, feature: 'carts', directory: 'features/carts', proposal, ...(lanes ? { lanes } : {}) });

  it('accepts a plan with disjoint ownership and a test per lane', async () => {
    expect(await check(proposalOf(plan({ rates: { owns: ['libs/rates/src/**'] }, cart: { owns: ['apps/shop/src/cart.js'] } }), ['rates', 'cart']), 2)).toEqual([]);
  });

  it("reports a file two lanes own at the plan's own lines", async () => {
    const problems = await check(proposalOf(plan({ rates: { owns: ['libs/rates/src/**'] }, cart: { owns: ['apps/shop/src/cart.js', 'libs/rates/src/index.js'] } }), ['rates', 'cart']));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.file === 'features/carts/feature.jsonc' && p.line > 1)).toBe(true);
    expect(problems.map((p) => p.message).join('\n')).toContain('libs/rates/src/index.js');
  });

  it('reports a missing spec, files that are not part of a plan, a wrong name and the wrong number of lanes', async () => {
    const proposal: Proposal = proposalOf(plan({ rates: { owns: ['libs/rates/src/**'] } }), []);
    proposal.files['../escape.md'] = 'x';
    const messages = (await check(proposal, 2)).map((p) => `${p.file}: ${p.message}`).join('\n');
    expect(messages).toContain('lanes/rates.md');
    expect(messages).toContain('`../escape.md` is not part of a plan');
    // A plan that passes the validator gets its name and its lane count checked.
    const named = await check(proposalOf(plan({ rates: { owns: ['libs/rates/src/**'] } }, { name: 'other' }), ['rates']));
    expect(named.map((p) => p.message)).toEqual(['The plan names itself "other", but this is feature "carts": leave out "name" or write "carts".']);
    const counted = await check(proposalOf(plan({ rates: { owns: ['libs/rates/src/**'] } }), ['rates']), 2);
    expect(counted.map((p) => p.message)).toEqual(['The plan has 1 lanes; 2 were asked for (--lanes).']);
  });

  it("reports ownership another feature's plan already holds", async () => {
    tree.write('features/other/feature.jsonc', plan({ mine: { owns: ['libs/rates/src/index.js'] } }));
    tree.write('features/other/contract.md', '#\n');
    tree.write('features/other/lanes/mine.md', '#\n');
    const problems = await check(proposalOf(plan({ rates: { owns: ['libs/rates/src/**'] } }), ['rates']));
    expect(problems.map((p) => p.message).join('\n')).toMatch(/other/);
    tree.delete('features/other');
  });

  it('reports a proposal without feature.jsonc', async () => {
    expect((await check({ files: { 'contract.md': '#' } })).map((p) => p.message)).toEqual(['The proposal has no feature.jsonc: the plan itself is missing.']);
  });
});

describe('the prompt and the review', () => {
  const prompt = buildDecomposePrompt({ feature: 'carts', directory: 'features/carts', goal: 'Carts in any currency', lanes: 3, workspace: '## The workspace\n', howToPropose: 'Call propose_plan.' });

  it('names the feature in the system prompt and carries goal, lane count, rules, example and how to hand in', () => {
    expect(prompt.system).toMatch(/^You are proposing the plan of feature `carts`/);
    for (const part of ['Goal: Carts in any currency', 'exactly 3 lanes', '## The workspace', 'Ownership is disjoint', '## An example plan', 'Call propose_plan.']) expect(prompt.task).toContain(part);
  });

  it('puts problems under their own heading, located in the proposal, with the rounds left', () => {
    const review = { accepted: false, problems: [{ file: 'features/carts/feature.jsonc', line: 4, column: 7, message: 'Overlap.' }], round: 1, roundsLeft: 2 };
    const text = describeReview('features/carts', review);
    expect(text).toBe('## Problems with your proposal (round 1)\n\nThe validator found 1 problem:\n- feature.jsonc:4:7: Overlap.\n\nFix every one and propose the whole plan again (2 rounds left).');
    const retry = buildRetryTask(prompt.task, { ...review, feedback: text }, { files: { 'feature.jsonc': '{}' } });
    expect(retry.startsWith(prompt.task.trimEnd())).toBe(true);
    expect(retry).toContain('## Your previous proposal\n\n`feature.jsonc`:\n```\n{}\n```');
    expect(retry.endsWith(`${text}\n`)).toBe(true);
  });
});

describe('proposal inputs', () => {
  it('turns propose_plan input into plan files, and names what is missing', () => {
    expect(readProposeInput({ feature_jsonc: '{}', contract_md: '#', lane_specs: { a: '# a' } })).toEqual({ proposal: { files: { 'feature.jsonc': '{}', 'contract.md': '#', 'lanes/a.md': '# a' } } });
    expect(readProposeInput({ contract_md: '#' })).toEqual({ error: 'propose_plan needs `feature_jsonc`, the text of feature.jsonc.' });
    expect(readProposeInput({ feature_jsonc: '{}', contract_md: '#', lane_specs: { a: 1 } })).toEqual({ error: 'lane_specs.a must be the spec\'s text.' });
  });

  it("reads a command's output folder, every file, and names a file too big to read", () => {
    const dir = mkdtempSync(join(tmpdir(), 'proposal-'));
    try {
      mkdirSync(join(dir, 'lanes'));
      writeFileSync(join(dir, 'feature.jsonc'), '{}');
      writeFileSync(join(dir, 'lanes', 'a.md'), '# a');
      writeFileSync(join(dir, 'notes.txt'), 'n');
      writeFileSync(join(dir, 'huge.md'), Buffer.alloc(1024 * 1024 + 1, 'x'));
      expect(readProposalFolder(dir)).toEqual({ proposal: { files: { 'feature.jsonc': '{}', 'lanes/a.md': '# a', 'notes.txt': 'n' } }, oversized: ['huge.md'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
