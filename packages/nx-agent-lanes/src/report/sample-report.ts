/**
 * A realistic review report: the CSV export story from PRODUCT.md, green after one answered
 * blocker. Used by the report tests, the browser test and the demo; each call returns a fresh
 * copy, so a test may edit it.
 */
import type { TokenUsage } from '../agents/provider';
import type { LaneAttempt } from '../layout';
import { planNextSteps } from './plan-next-steps';
import type { LaneReport, ReviewReport } from './review-report';

const START = Date.parse('2025-06-03T09:14:05.000Z');

const FRONTEND_DIFF = `diff --git a/apps/web/src/export/use-csv-download.ts b/apps/web/src/export/use-csv-download.ts
new file mode 100644
index 0000000..8c1f2ab
--- /dev/null
+++ b/apps/web/src/export/use-csv-download.ts
@@ -0,0 +1,23 @@
+import { useState } from 'react';
+import type { ExportKind } from '@shop/export';
+
+/** Fetches GET /api/export/:kind and hands the CSV to the browser as a download. */
+export function useCsvDownload(kind: ExportKind) {
+  const [busy, setBusy] = useState(false);
+  async function download(): Promise<void> {
+    setBusy(true);
+    try {
+      const response = await fetch(\`/api/export/\${kind}\`, { credentials: 'same-origin' });
+      if (!response.ok) throw new Error(\`Export failed: \${response.status}\`);
+      const url = URL.createObjectURL(await response.blob());
+      const link = document.createElement('a');
+      link.href = url;
+      link.download = \`\${kind}-\${new Date().toISOString().slice(0, 10)}.csv\`;
+      link.click();
+      URL.revokeObjectURL(url);
+    } finally {
+      setBusy(false);
+    }
+  }
+  return { busy, download };
+}
diff --git a/apps/web/src/export/export-menu.tsx b/apps/web/src/export/export-menu.tsx
index 41d0c3e..b7a9e52 100644
--- a/apps/web/src/export/export-menu.tsx
+++ b/apps/web/src/export/export-menu.tsx
@@ -1,10 +1,21 @@
 import { Menu, MenuItem } from '../ui/menu';
+import { useCsvDownload } from './use-csv-download';
 
 export function ExportMenu() {
+  const orders = useCsvDownload('orders');
+  const invoices = useCsvDownload('invoices');
+  const activity = useCsvDownload('activity');
   return (
     <Menu label="Export">
-      <MenuItem disabled>Orders (coming soon)</MenuItem>
-      <MenuItem disabled>Invoices (coming soon)</MenuItem>
+      <MenuItem disabled={orders.busy} onSelect={orders.download}>
+        Orders (CSV)
+      </MenuItem>
+      <MenuItem disabled={invoices.busy} onSelect={invoices.download}>
+        Invoices (CSV)
+      </MenuItem>
+      <MenuItem disabled={activity.busy} onSelect={activity.download}>
+        Activity (CSV)
+      </MenuItem>
     </Menu>
   );
 }
`;

function usage(input: number, output: number, cacheRead: number, cacheWrite: number): TokenUsage {
  return { input, output, cacheRead, cacheWrite };
}

function attempt(fields: Partial<LaneAttempt> & Pick<LaneAttempt, 'turns' | 'tokens' | 'costUsd' | 'startedAt' | 'durationMs'>): LaneAttempt {
  return {
    outcome: 'done',
    startedFrom: 'fresh',
    endedAt: new Date(Date.parse(fields.startedAt) + fields.durationMs).toISOString(),
    usageSource: 'proxy',
    agentRuns: 1,
    ...fields,
  };
}

function lane(fields: Partial<LaneReport> & Pick<LaneReport, 'name' | 'files'> & { offsetMs: number; durationMs: number }): LaneReport {
  const { offsetMs, ...rest } = fields;
  const startedAt = new Date(START + offsetMs).toISOString();
  const attempts = fields.attempts ?? [attempt({ turns: fields.turns ?? 0, tokens: fields.tokens ?? usage(0, 0, 0, 0), costUsd: fields.costUsd ?? 0, startedAt, durationMs: fields.durationMs })];
  return {
    status: 'done',
    tests: { command: '', passed: true, exitCode: 0 },
    ownership: { ok: true, violations: [] },
    turns: 0,
    tokens: usage(0, 0, 0, 0),
    costUsd: 0,
    startedAt: new Date(START + offsetMs).toISOString(),
    endedAt: new Date(START + offsetMs + fields.durationMs).toISOString(),
    risky: false,
    riskyFiles: [],
    answers: [],
    feedback: [],
    attempts,
    unknownAttempts: 0,
    ...rest,
  };
}

export function sampleReviewReport(): ReviewReport {
  const lanes: LaneReport[] = [
    lane({
      name: 'backend',
      summary: 'Added GET /api/export/:kind streaming CSV with Content-Disposition; 404 for unknown kinds.',
      files: [
        { path: 'apps/api/src/routes/export.ts', status: 'added' },
        { path: 'apps/api/src/routes/export.spec.ts', status: 'added' },
      ],
      tests: { command: 'npx jest apps/api/src/routes/export.spec.ts', passed: true, exitCode: 0, durationMs: 6_400 },
      turns: 14, tokens: usage(41_200, 7_900, 182_000, 16_500), costUsd: 0.3457,
      offsetMs: 0, durationMs: 52_000,
      commit: '3f9c2e1a7b4d8e6f0a1c5b9d2e7f4a8c6b3d1e0f',
    }),
    lane({
      name: 'export-logic',
      summary: 'toCsv(rows, columns) with RFC 4180 quoting; timestamps as UTC ISO 8601 under a "(UTC)" header.',
      files: [
        { path: 'libs/export/src/to-csv.ts', status: 'added' },
        { path: 'libs/export/src/to-csv.spec.ts', status: 'added' },
        { path: 'libs/export/src/format-timestamp.ts', status: 'added' },
      ],
      tests: { command: 'npx jest libs/export', passed: true, exitCode: 0, durationMs: 4_100 },
      turns: 17, tokens: usage(52_800, 9_400, 231_000, 18_200), costUsd: 0.4254,
      offsetMs: 1_000, durationMs: 61_000,
      attempts: [
        attempt({
          outcome: 'blocked', turns: 5, tokens: usage(15_000, 2_000, 60_000, 9_000), costUsd: 0.12,
          startedAt: new Date(START - 600_000).toISOString(), durationMs: 21_000,
        }),
        attempt({
          startedFrom: 'resumed-transcript', turns: 12, tokens: usage(37_800, 7_400, 171_000, 9_200), costUsd: 0.3054,
          startedAt: new Date(START + 1_000).toISOString(), durationMs: 61_000,
        }),
      ],
      answers: [
        {
          question: 'Should timestamps in the CSV be in UTC or in the customer\'s local time zone?',
          answer: 'UTC, with an explicit column header',
        },
      ],
      commit: '8a2d4f6b1c3e5a7d9f0b2c4e6a8d0f1b3c5e7a9d',
    }),
    lane({
      name: 'frontend',
      summary: 'Export menu with Orders, Invoices and Activity; useCsvDownload fetches the CSV and frees the object URL.',
      files: [
        { path: 'apps/web/src/export/use-csv-download.ts', status: 'added' },
        { path: 'apps/web/src/export/export-menu.tsx', status: 'modified' },
        { path: 'apps/web/src/export/export-menu.spec.tsx', status: 'added' },
      ],
      tests: { command: 'npx jest apps/web/src/export', passed: true, exitCode: 0, durationMs: 7_800 },
      turns: 19, tokens: usage(58_300, 11_600, 246_000, 21_700), costUsd: 0.4893,
      offsetMs: 2_000, durationMs: 48_000,
      risky: true,
      riskyFiles: ['apps/web/src/export/use-csv-download.ts', 'apps/web/src/export/export-menu.tsx'],
      riskyDiff: FRONTEND_DIFF,
      commit: 'c1e3a5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9',
    }),
    lane({
      name: 'docs',
      summary: 'Documented the three exports, their columns and the UTC timestamps.',
      files: [{ path: 'docs/exports.md', status: 'added' }],
      tests: { command: 'npx markdownlint docs/exports.md', passed: true, exitCode: 0, durationMs: 900 },
      turns: 6, tokens: usage(14_900, 3_100, 48_000, 9_800), costUsd: 0.1505,
      offsetMs: 3_000, durationMs: 29_000,
      commit: 'e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2',
    }),
  ];
  const report: Omit<ReviewReport, 'nextSteps'> = {
    feature: {
      name: 'export-feature',
      goal: 'Customers download orders, invoices and activity as CSV',
      file: 'features/export-feature/feature.jsonc',
    },
    outcome: 'green',
    branch: 'lanes/export-feature',
    branchCommit: 'e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2',
    baseCommit: '0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d',
    generatedAt: new Date(START + 65_000).toISOString(),
    wallClockMs: 65_000,
    laneTimeSumMs: lanes.reduce((sum, l) => sum + l.durationMs, 0),
    lanes,
    integration: { test: 'npx jest e2e/export.e2e.spec.ts', passed: true, exitCode: 0, durationMs: 3_600 },
    totals: {
      costUsd: lanes.reduce((sum, l) => sum + l.costUsd, 0),
      tokens: lanes.reduce(
        (t, l) => usage(t.input + l.tokens.input, t.output + l.tokens.output, t.cacheRead + l.tokens.cacheRead, t.cacheWrite + l.tokens.cacheWrite),
        usage(0, 0, 0, 0),
      ),
      turns: lanes.reduce((sum, l) => sum + l.turns, 0),
      attempts: lanes.reduce((sum, l) => sum + (l.attempts?.length ?? 0), 0),
      unknownAttempts: 0,
    },
    thisRun: { costUsd: 1.2909, lanesRan: 4, lanesFromCache: 0, unknownAttempts: 0 },
    runId: '2025-06-03T09-15-10-000Z',
    history: [
      {
        runId: '2025-06-03T09-04-30-000Z', generatedAt: new Date(START - 575_000).toISOString(), outcome: 'lanes-not-ready', noop: false,
        lanesRan: 1, lanesFromCache: 0, spentUsd: 0.12, unknownAttempts: 0, totalUsd: 0.12,
      },
      {
        runId: '2025-06-03T09-15-10-000Z', generatedAt: new Date(START + 65_000).toISOString(), outcome: 'green', noop: false,
        lanesRan: 4, lanesFromCache: 0, spentUsd: 1.2909, unknownAttempts: 0, totalUsd: 1.4109,
      },
      {
        runId: '2025-06-03T10-02-00-000Z', generatedAt: new Date(START + 2_875_000).toISOString(), outcome: 'green', noop: true,
        lanesRan: 0, lanesFromCache: 4, spentUsd: 0, unknownAttempts: 0, totalUsd: 1.4109,
      },
    ],
  };
  return { ...report, nextSteps: planNextSteps(report) };
}
