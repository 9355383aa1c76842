export interface DecomposeGeneratorSchema {
  name: string;
  goal: string;
  lanes?: number;
  provider?: 'anthropic' | 'claude-code' | 'command';
  command?: string;
  model?: string;
  budgetUsd?: number;
  maxTurns?: number;
  rounds?: number;
  timeoutMinutes?: number;
  directory?: string;
  skipFormat?: boolean;
}
