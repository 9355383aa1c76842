import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderReportHtml } from '../packages/nx-agent-lanes/src/report/render-report-html';
import { sampleReviewReport } from '../packages/nx-agent-lanes/src/report/sample-report';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** Kept after the run (overwritten each time) so a person can look at what the browser drew. */
const ARTIFACTS = join(tmpdir(), 'nx-agent-lanes-report');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The browser test never skips: without Chromium it installs it, and says plainly when it cannot. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  try {
    execSync('apt-get update && apt-get install -y --no-install-recommends chromium', {
      stdio: 'pipe',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`${CHROMIUM} is missing and installing it failed (apt-get install chromium needs root and network): ${detail}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} still does not exist.`);
}

describe('report.html in a real browser', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  let fileUrl: string;
  const requests: string[] = [];

  beforeAll(async () => {
    ensureChromium();
    dir = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-report-e2e-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReportHtml(sampleReviewReport()));
    fileUrl = pathToFileURL(file).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(fileUrl, { waitUntil: 'load' });
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads nothing but itself: no fonts, styles, scripts or images from anywhere', () => {
    expect(requests).toEqual([fileUrl]);
  });

  it('shows a green banner and one table row per lane', async () => {
    await expect(page.locator('#status .status').innerText()).resolves.toBe('GREEN');
    const lanes = await page.locator('#lanes-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-lane')));
    expect(lanes).toEqual(['backend', 'export-logic', 'frontend', 'docs']);
  });

  it('draws one visible timeline bar per lane, placed and sized by its start and duration', async () => {
    const report = sampleReviewReport();
    const track = await page.locator('#timeline .timeline-track').first().boundingBox();
    expect(track).not.toBeNull();
    const boxes = [];
    for (const lane of report.lanes) {
      const bar = page.locator(`.timeline-bar[data-lane="${lane.name}"]`);
      await expect(bar.isVisible()).resolves.toBe(true);
      const box = await bar.boundingBox();
      expect(box).not.toBeNull();
      boxes.push({ lane, box: box! });
    }
    const start = Date.parse(report.lanes[0].startedAt);
    for (const { lane, box } of boxes) {
      // Each bar sits where its lane started and is as long as it ran, on the wall-clock scale.
      const expectedLeft = track!.x + (track!.width * (Date.parse(lane.startedAt) - start)) / report.wallClockMs;
      const expectedWidth = (track!.width * lane.durationMs) / report.wallClockMs;
      expect(Math.abs(box.x - expectedLeft)).toBeLessThan(2);
      expect(Math.abs(box.width - expectedWidth)).toBeLessThan(2);
      expect(box.x + box.width).toBeLessThanOrEqual(track!.x + track!.width + 1);
    }
    // Lanes started one after another, so their bars step right; rows stack top to bottom in plan order.
    const xs = boxes.map((b) => b.box.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    const ys = boxes.map((b) => b.box.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expect(new Set(ys).size).toBe(ys.length);
  });

  it('shows the risky diff, line-coloured, with the object URL freed', async () => {
    const diff = page.locator('#risky-diffs .diff[data-file="apps/web/src/export/use-csv-download.ts"]');
    await expect(diff.isVisible()).resolves.toBe(true);
    await expect(diff.innerText()).resolves.toContain('URL.revokeObjectURL(url)');
    const added = diff.locator('tr.ln-add td.code', { hasText: 'URL.revokeObjectURL' });
    const background = await added.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(g).toBeGreaterThan(r);
    expect(g).toBeGreaterThan(b);
  });

  it('folds the trusted lanes away and shows no diff for them', async () => {
    const diffFiles = await page.locator('.diff').evaluateAll((els) => els.map((e) => e.getAttribute('data-file')));
    expect(diffFiles).toEqual(['apps/web/src/export/use-csv-download.ts', 'apps/web/src/export/export-menu.tsx']);
    for (const lane of ['backend', 'export-logic', 'docs']) {
      const details = page.locator(`details.lane-details[data-lane="${lane}"]`);
      await expect(details.locator('summary').isVisible()).resolves.toBe(true);
      await expect(details.evaluate((el) => el.hasAttribute('open'))).resolves.toBe(false);
      await expect(details.locator('.files').isVisible()).resolves.toBe(false);
    }
    await expect(page.locator('#trusted-lanes').innerText()).resolves.toContain('tests green, 2 files, trust the suite');
    // One click opens a trusted lane for the curious, and closes it again.
    const backend = page.locator('details.lane-details[data-lane="backend"]');
    await backend.locator('summary').click();
    await expect(backend.locator('.files').innerText()).resolves.toContain('apps/api/src/routes/export.ts');
    await backend.locator('summary').click();
    await expect(backend.locator('.files').isVisible()).resolves.toBe(false);
  });

  it('shows the history of runs, newest first, each linking to its own report, this one marked', async () => {
    const rows = page.locator('#runs-table tbody tr');
    await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')))).resolves.toEqual([
      '2025-06-03T10-02-00-000Z',
      '2025-06-03T09-15-10-000Z',
      '2025-06-03T09-04-30-000Z',
    ]);
    await expect(rows.nth(0).innerText()).resolves.toContain('no-op rerun, all 4 lanes from cache, $0');
    await expect(page.locator('#runs-table tr.current').innerText()).resolves.toContain('this report');
    await expect(rows.nth(2).locator('a').getAttribute('href')).resolves.toBe('runs/2025-06-03T09-04-30-000Z/report.html');
    await expect(page.locator('#attempts li[data-lane="export-logic"] li').allInnerTexts()).resolves.toEqual([
      'first run: blocked, 5 turns, 86k tokens, $0.12, 21s',
      'after an answer: done, 12 turns, 225.4k tokens, $0.31, 1m 01s',
    ]);
  });

  it('takes a full-page screenshot and prints as PDF', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'report-screenshot.png');
    rmSync(screenshot, { force: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = readFileSync(screenshot);
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    console.log(`report screenshot: ${screenshot}`);

    await page.emulateMedia({ media: 'print' });
    const wrap = await page.locator('.diff td.code').first().evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).whiteSpace);
    expect(wrap).toBe('pre-wrap');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    writeFileSync(join(ARTIFACTS, 'report.pdf'), pdf);
    await page.emulateMedia({ media: 'screen' });
  });
});
