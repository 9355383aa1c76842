import type { AgentConfigInput, FeatureConfigInput, LaneConfigInput, ModelPrice, OutputLimitsInput, SandboxConfigInput } from './feature-types';

/*
 * The keys feature.jsonc may hold, level by level. The validator rejects any other key and
 * feature.schema.json lists exactly these (feature-schema.spec.ts keeps the two in step).
 */

export const FEATURE_KEYS = [
  '$schema',
  'name',
  'goal',
  'contract',
  'base',
  'agent',
  'setup',
  'lanes',
  'integration',
  'review',
  'secrets',
  'limits',
  'sandbox',
  'featureBudgetUsd',
] as const satisfies readonly (keyof FeatureConfigInput)[];

export const LANE_KEYS = [
  'spec',
  'owns',
  'forbids',
  'test',
  'after',
  'agent',
  'risky',
  'limits',
  'sandbox',
] as const satisfies readonly (keyof LaneConfigInput)[];

export const AGENT_KEYS = [
  'provider',
  'model',
  'maxTurns',
  'budgetUsd',
  'timeoutMinutes',
  'maxTokens',
  'command',
  'prices',
  'claudeMd',
] as const satisfies readonly (keyof AgentConfigInput)[];

export const PRICE_KEYS = ['input', 'output', 'cacheWrite', 'cacheWrite1h', 'cacheRead'] as const satisfies readonly (keyof ModelPrice)[];

export const INTEGRATION_KEYS = ['test'] as const satisfies readonly (keyof NonNullable<FeatureConfigInput['integration']>)[];

export const REVIEW_KEYS = ['risky'] as const satisfies readonly (keyof NonNullable<FeatureConfigInput['review']>)[];

export const LIMIT_KEYS = ['outputBytes', 'transcriptBytes', 'patchFileWarnBytes', 'patchFileMaxBytes'] as const satisfies readonly (keyof OutputLimitsInput)[];

export const SANDBOX_KEYS = ['mode', 'allowHosts'] as const satisfies readonly (keyof SandboxConfigInput)[];
