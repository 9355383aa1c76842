import { renderReportHtml } from './render-report-html';
import { sampleReviewReport } from './sample-report';

/** The opening tags in `html` carrying `attribute="value"`. */
function tagsWith(html: string, attribute: string, value: string): string[] {
  const needle = `${attribute}="${value}"`;
  return (html.match(/<[a-z][^>]*>/g) ?? []).filter((tag) => tag.includes(needle));
}

function styleOf(tag: string): Record<string, number> {
  const style = /style="([^"]*)"/.exec(tag)?.[1] ?? '';
  return Object.fromEntries(style.split(';').filter(Boolean).map((d) => d.split(':')).map(([k, v]) => [k, parseFloat(v)]));
}

describe('renderReportHtml', () => {
  const html = renderReportHtml(sampleReviewReport());

  it('is one complete page with the status in the banner and the title', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<title>export-feature: GREEN</title>');
    expect(html).toMatch(/<header id="status" class="banner outcome-green">.*<span class="status">GREEN<\/span>/);
    const red = renderReportHtml({ ...sampleReviewReport(), outcome: 'integration-test-failed' });
    expect(red).toContain('<span class="status">RED: integration test failed</span>');
    expect(red).toContain('class="banner outcome-red"');
  });

  it('carries the stable hooks the browser test and tooling use', () => {
    for (const id of ['lanes-table', 'timeline', 'risky-diffs', 'next-steps', 'trusted-lanes']) {
      expect(html.match(new RegExp(`id="${id}"`, 'g'))).toHaveLength(1);
    }
    for (const lane of ['backend', 'export-logic', 'frontend', 'docs']) {
      expect(tagsWith(html, 'data-lane', lane).filter((t) => t.includes('class="timeline-bar'))).toHaveLength(1);
    }
    expect(tagsWith(html, 'data-file', 'apps/web/src/export/use-csv-download.ts')).toHaveLength(1);
    expect(tagsWith(html, 'data-file', 'apps/web/src/export/export-menu.tsx')).toHaveLength(1);
  });

  it('is self-contained: no scripts, and every src or href stays on the page', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n');
    expect(styles.length).toBeGreaterThan(1000);
    expect(styles).not.toMatch(/@import|url\(|@font-face/i);
    const targets = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(0);
    // The only other targets are links to the feature's own earlier and later run reports, beside this one.
    for (const target of targets) expect(target).toMatch(/^(#|data:|runs\/[\w-]+\/report\.html$)/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('lists every run of the feature, newest first, with its outcome and spend, this report marked', () => {
    const rows = html.match(/<tr data-run="[^"]+"[^>]*>.*?<\/tr>/g) ?? [];
    expect(rows.map((r) => /data-run="([^"]+)"/.exec(r)![1])).toEqual(['2025-06-03T10-02-00-000Z', '2025-06-03T09-15-10-000Z', '2025-06-03T09-04-30-000Z']);
    expect(rows[0]).toContain('no-op rerun, all 4 lanes from cache, $0');
    expect(rows[1]).toContain('class="current"');
    expect(rows[1]).toContain('$1.29 (4 lanes ran, 0 from cache)');
    expect(rows[2]).toContain('RED: lanes not ready');
    const fromRunFolder = renderReportHtml(sampleReviewReport(), { runHref: (id) => `../${id}/report.html` });
    expect(fromRunFolder).toContain('href="../2025-06-03T09-04-30-000Z/report.html"');
  });

  it('shows each lane\'s attempts and "unknown" where no agent reported figures', () => {
    expect(tagsWith(html, 'data-lane', 'export-logic').some((t) => t.startsWith('<li'))).toBe(true);
    expect(html).toContain('<li data-outcome="blocked">first run: blocked, 5 turns, 86k tokens, $0.12, 21s</li>');
    const report = sampleReviewReport();
    const docs = report.lanes.find((l) => l.name === 'docs')!;
    docs.attempts = docs.attempts!.map((a) => ({ ...a, usageSource: 'none' }));
    docs.unknownAttempts = 1;
    const row = renderReportHtml(report).match(/<tr class="trusted" data-lane="docs">.*?<\/tr>/)![0];
    expect(row).toContain('<td class="num cost">unknown</td>');
  });

  it('escapes agent text everywhere it appears', () => {
    const report = sampleReviewReport();
    report.lanes[2].summary = 'Wraps <script>alert("x")</script> & friends';
    report.lanes[0].summary = '<img src=x onerror=alert(1)>';
    report.lanes[1].answers[0].answer = 'UTC & "ISO" <8601>';
    report.feature.goal = 'Orders & invoices <as CSV>';
    const out = renderReportHtml(report);
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).toContain('Wraps &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('UTC &amp; &quot;ISO&quot; &lt;8601&gt;');
    expect(out).toContain('<p class="goal">Orders &amp; invoices &lt;as CSV&gt;</p>');
    // The diff's own markup (JSX) is text too.
    expect(out).toContain('&lt;MenuItem disabled&gt;Orders (coming soon)&lt;/MenuItem&gt;');
  });

  it('escapes names used in attributes', () => {
    const report = sampleReviewReport();
    report.lanes[3].name = 'docs"><b>x</b>';
    const out = renderReportHtml(report);
    expect(out).not.toContain('<b>x</b>');
    expect(tagsWith(out, 'data-lane', 'docs&quot;&gt;&lt;b&gt;x&lt;/b&gt;').length).toBeGreaterThan(0);
  });

  it('places and sizes each timeline bar in proportion to the wall clock', () => {
    const report = sampleReviewReport();
    const start = Date.parse(report.lanes[0].startedAt);
    for (const lane of report.lanes) {
      const [bar] = tagsWith(html, 'data-lane', lane.name).filter((t) => t.includes('timeline-bar'));
      const style = styleOf(bar);
      expect(style.left).toBeCloseTo(((Date.parse(lane.startedAt) - start) / report.wallClockMs) * 100, 2);
      expect(style.width).toBeCloseTo((lane.durationMs / report.wallClockMs) * 100, 2);
    }
    const [integration] = tagsWith(html, 'data-step', 'integrate');
    expect(styleOf(integration).left + styleOf(integration).width).toBeCloseTo(100, 2);
  });

  it('colours diff lines: added, removed and hunk headers apart', () => {
    expect(html).toMatch(/<tr class="ln-add"><td class="num"><\/td><td class="num">17<\/td><td class="code">\+ {6}URL\.revokeObjectURL\(url\);<\/td><\/tr>/);
    expect(html).toMatch(/<tr class="ln-del"><td class="num">6<\/td><td class="num"><\/td><td class="code">- {6}&lt;MenuItem disabled&gt;Orders/);
    expect(html).toContain('<tr class="ln-hunk"><td class="num"></td><td class="num"></td><td class="code">@@ -1,10 +1,21 @@</td></tr>');
    expect(html).toMatch(/\.ln-add td \{ background: #e6ffec; \}/);
  });

  it('folds trusted lanes into closed <details>, with no diff', () => {
    const trusted = html.slice(html.indexOf('<section id="trusted-lanes">'), html.indexOf('</section>', html.indexOf('<section id="trusted-lanes">')));
    expect(trusted.match(/<details class="lane-details" data-lane="[^"]+">/g)).toEqual([
      '<details class="lane-details" data-lane="backend">',
      '<details class="lane-details" data-lane="export-logic">',
      '<details class="lane-details" data-lane="docs">',
    ]);
    expect(trusted).not.toContain(' open');
    expect(trusted).not.toContain('class="diff"');
    expect(trusted).toContain('tests green, 2 files, trust the suite');
    expect(html.match(/class="diff"/g)).toHaveLength(2);
  });

  it('shows a red lane\'s test output and a red integration tail', () => {
    const report = sampleReviewReport();
    report.outcome = 'integration-test-failed';
    report.lanes[3].tests = { command: 'npx markdownlint', passed: false, exitCode: 1, outputTail: 'MD013 <line> too long' };
    report.integration = { test: 'npm run e2e', passed: false, exitCode: 2, outputTail: 'Expected "a" & got "b"' };
    const out = renderReportHtml(report);
    expect(out).toContain('<pre class="output">MD013 &lt;line&gt; too long</pre>');
    expect(out).toContain('<span class="verdict-bad">failed (exit 2)</span>');
    expect(out).toContain('<pre class="output">Expected &quot;a&quot; &amp; got &quot;b&quot;</pre>');
    expect(out).toMatch(/class="timeline-bar status-done not-green" data-lane="docs"/);
  });
});
