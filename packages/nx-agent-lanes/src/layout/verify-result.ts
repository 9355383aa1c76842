import type { LaneStatus } from '../agents/provider';
import type { OwnershipViolation } from '../ownership';

/** dist/agent-lanes/<feature>/<lane>/verify.json */
export interface VerifyResult {
  feature: string;
  lane: string;
  passed: boolean;
  /** One sentence on why it did not pass. */
  reason?: string;
  laneStatus: LaneStatus | 'missing';
  question?: string;
  /** sha256 of the lane.patch that was verified: integrate refuses a patch that changed since. */
  patchSha256: string;
  files: string[];
  tests?: { command: string; passed: boolean; exitCode: number | null; durationMs: number; outputTail: string };
  setup?: { command: string; passed: boolean; exitCode: number | null; outputTail: string };
  ownership: { ok: boolean; violations: OwnershipViolation[] };
  risk: { class: 'risky' | 'trusted'; riskyFiles: string[] };
  baseCommit?: string;
  /** Whether setup and the tests ran in the OS sandbox (`sandbox` in feature.jsonc, and what the machine has). */
  sandboxed?: boolean;
  /** Output lines of setup and the tests that show the sandbox refusing a write or a connection. */
  sandboxRefusals?: string[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
}
