import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaneResult } from './lane-result';
import {
  INTEGRATION_RESULT_FILE,
  PATCH_FILE,
  RAN_IN_FILE,
  REPORT_HTML_FILE,
  REPORT_MARKDOWN_FILE,
  RESCUED_DIR,
  RESULT_FILE,
  WAITING_FILE,
  SPEND_FILE,
  TRANSCRIPT_FILE,
  VERIFY_FILE,
  integrationArtifactsDir,
  integrationRunDir,
  laneArtifactsDir,
} from './paths';
import type { VerifyResult } from './verify-result';

/** A JSON artifact, or undefined when it is missing or torn (an interrupted write). */
export function readArtifact<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Absolute paths of one lane's artifacts. */
export interface LaneArtifactFiles {
  dir: string;
  result: string;
  patch: string;
  transcript: string;
  verify: string;
  ranIn: string;
  rescued: string;
  waiting: string;
  spend: string;
}

export function laneArtifactFiles(workspaceRoot: string, feature: string, lane: string): LaneArtifactFiles {
  const dir = join(workspaceRoot, laneArtifactsDir(feature, lane));
  return {
    dir,
    result: join(dir, RESULT_FILE),
    patch: join(dir, PATCH_FILE),
    transcript: join(dir, TRANSCRIPT_FILE),
    verify: join(dir, VERIFY_FILE),
    ranIn: join(dir, RAN_IN_FILE),
    rescued: join(dir, RESCUED_DIR),
    waiting: join(dir, WAITING_FILE),
    spend: join(dir, SPEND_FILE),
  };
}

export function readLaneResult(files: LaneArtifactFiles): LaneResult | undefined {
  return readArtifact<LaneResult>(files.result);
}

/** Written as given: the caller redacts secrets first. */
export function writeLaneResult(files: LaneArtifactFiles, result: LaneResult): void {
  writeJson(files.result, result);
}

/** lane.patch, or undefined when the lane has none. */
export function readLanePatch(files: LaneArtifactFiles): string | undefined {
  return readText(files.patch);
}

export function writeLanePatch(files: LaneArtifactFiles, patch: string): void {
  writeFileSync(files.patch, patch);
}

export function readVerifyResult(files: LaneArtifactFiles): VerifyResult | undefined {
  return readArtifact<VerifyResult>(files.verify);
}

/** Written as given, creating the lane's folder: verify may run where the lane's artifacts never were. */
export function writeVerifyResult(files: LaneArtifactFiles, result: VerifyResult): void {
  mkdirSync(files.dir, { recursive: true });
  writeJson(files.verify, result);
}

/** The `nx` command the lane's agent last ran under on this machine (see RAN_IN_FILE). */
export function readRanIn(files: LaneArtifactFiles): string | undefined {
  return readText(files.ranIn)?.trim();
}

export function writeRanIn(files: LaneArtifactFiles, invocation: string): void {
  writeFileSync(files.ranIn, invocation);
}

/** Absolute paths of a feature's integration artifacts. */
export interface IntegrationArtifactFiles {
  dir: string;
  result: string;
  markdown: string;
  html: string;
}

export function integrationArtifactFiles(workspaceRoot: string, feature: string): IntegrationArtifactFiles {
  const dir = join(workspaceRoot, integrationArtifactsDir(feature));
  return {
    dir,
    result: join(dir, INTEGRATION_RESULT_FILE),
    markdown: join(dir, REPORT_MARKDOWN_FILE),
    html: join(dir, REPORT_HTML_FILE),
  };
}

/** The files of one integrate run's own report (see INTEGRATION_RUNS_DIR). */
export function integrationRunFiles(workspaceRoot: string, feature: string, runId: string): IntegrationArtifactFiles {
  const dir = join(workspaceRoot, integrationRunDir(feature, runId));
  return { dir, result: join(dir, INTEGRATION_RESULT_FILE), markdown: join(dir, REPORT_MARKDOWN_FILE), html: join(dir, REPORT_HTML_FILE) };
}

export interface IntegrationArtifacts {
  /** The review report's model (report/review-report), stored as result.json. */
  report: unknown;
  markdown: string;
  html: string;
}

/**
 * Writes result.json, report.md and report.html. Every text goes through `redact` as written:
 * JSON and HTML escape characters a secret may hold, so redacting the model alone is not enough.
 */
export function writeIntegrationArtifacts(
  files: IntegrationArtifactFiles,
  artifacts: IntegrationArtifacts,
  redact: (text: string) => string = (text) => text,
): void {
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.result, redact(`${JSON.stringify(artifacts.report, null, 2)}\n`));
  writeFileSync(files.markdown, redact(artifacts.markdown));
  writeFileSync(files.html, redact(artifacts.html));
}

export function readIntegrationResult<T>(files: IntegrationArtifactFiles): T | undefined {
  return readArtifact<T>(files.result);
}

function readText(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
