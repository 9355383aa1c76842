/*
 * The one runner for processes that run code an agent or a plan controls (agent commands, the
 * anthropic provider's test tool, setup and tests in verify and integrate), and the decision
 * whether it sandboxes them here. See docs/security.md for what the sandbox does and does not stop.
 */
export { type SandboxDecision, type SandboxIsolation, decideSandbox } from './decide-sandbox';
export { type SandboxDetection, type SandboxTools, detectSandbox } from './detect-sandbox';
export type { OutputStream, TextFilter } from './capture-output';
export type { ReadableMount } from './resolve-sandbox-mounts';
export {
  type AttachedSandbox,
  type AttachedSandboxOptions,
  type RunSandboxedOptions,
  type SandboxNetwork,
  type SandboxedRunResult,
  openAttachedSandbox,
  runSandboxed,
} from './run-sandboxed';
