// The HTML report as a person sees it: opened offline in headless Chromium, its charts drawn, a screenshot kept.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import t from "tap";
import { recheck } from "../../../harness/cli/commands/check.js";
import { readHistory } from "../../../harness/history/read.js";
import { packageRoot } from "../../../harness/paths.js";
import { writeReports } from "../../../harness/report/write.js";

const CHROMIUM = "/usr/bin/chromium";
// CI (.ci/run) installs chromium and sets GRAPEVINE_REQUIRE_CHROMIUM, so that a missing browser fails there.
if (!existsSync(CHROMIUM) && process.env.GRAPEVINE_REQUIRE_CHROMIUM) t.fail(`GRAPEVINE_REQUIRE_CHROMIUM is set but there is no ${CHROMIUM}`);
const noChromium = !existsSync(CHROMIUM) && `no ${CHROMIUM} (apt-get install chromium)`;
const recorded = path.join(packageRoot(), "fixtures", "histories", "partition-heal.ndjson");

t.test("a recorded partition-heal history is judged again with the same outcome", async (t) => {
  const runDir = mkdtempSync(path.join(tmpdir(), "grapevine-fixture-"));
  copyFileSync(recorded, path.join(runDir, "history.ndjson"));
  const { summary } = recheck(runDir);
  const checks = Object.fromEntries(summary.scenarios[0]!.checks.map((c) => [c.name, c]));
  t.equal(summary.verdict, "pass");
  t.equal(checks["split n1,n2 | n3,n4,n5"]?.verdict, "pass");
  t.ok((checks.heal?.metrics.healTimeMs ?? Infinity) < 10_000, `healed in ${checks.heal?.metrics.healTimeMs} ms`);
});

t.test("[chromium] index.html opens offline in Chromium with its charts drawn", { skip: noChromium }, async (t) => {
  const runDir = mkdtempSync(path.join(tmpdir(), "grapevine-report-"));
  copyFileSync(recorded, path.join(runDir, "history.ndjson"));
  const { summary } = recheck(runDir);
  const files = await writeReports(runDir, summary, readHistory(path.join(runDir, "history.ndjson")));
  const html = readFileSync(files.html, "utf8");
  t.notMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, "self-contained: no script, nothing fetched");

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 1600 } });
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`file://${files.html}`);
  t.same(
    requests.filter((u) => !u.startsWith("file://")),
    [],
    "the page loads nothing from the network",
  );

  const timeline = page.locator('[data-chart="timeline"] svg');
  t.equal(await timeline.count(), 1, "the timeline chart is there");
  const box = await timeline.boundingBox();
  t.ok(box && box.width > 500 && box.height > 200, `and has a size on screen (${box?.width}×${box?.height})`);
  const bars = await page.locator('[data-chart="timeline"] svg path[aria-roledescription="bar"], [data-chart="timeline"] svg .mark-rect path').count();
  t.ok(bars > 25, `it draws a bar per view interval (${bars})`);
  const legend = await page.locator('[data-chart="timeline"] svg').textContent();
  t.match(legend, /alive/);
  t.match(legend, /dead/);
  t.match(await page.locator("h1").textContent(), /PASS/);
  t.equal(await page.locator('[data-chart="convergence"] svg').count(), 1, "the convergence chart is there");

  const shots = path.join(packageRoot(), "reports", "screenshots");
  mkdirSync(shots, { recursive: true });
  const shot = path.join(shots, "partition-heal-report.png");
  await page.screenshot({ path: shot, fullPage: true });
  t.ok(statSync(shot).size > 10_000, `screenshot saved: ${shot}`);
});

t.test("[chromium] a recorded partition-writes history: no write lost, and the key-value charts are drawn", { skip: noChromium }, async (t) => {
  const runDir = mkdtempSync(path.join(tmpdir(), "grapevine-kv-report-"));
  copyFileSync(path.join(packageRoot(), "fixtures", "histories", "partition-writes.ndjson"), path.join(runDir, "history.ndjson"));
  const { summary } = recheck(runDir);
  const checks = Object.fromEntries(summary.scenarios[0]!.checks.map((c) => [c.name, c]));
  t.match(checks["no-data-loss"], { verdict: "pass", metrics: { lostWrites: 0 } });
  t.equal(checks["kv-converged"]?.verdict, "pass");
  const files = await writeReports(runDir, summary, readHistory(path.join(runDir, "history.ndjson")));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 1600 } });
  await page.goto(`file://${files.html}`);
  for (const chart of ["dissemination", "agreement"]) {
    const box = await page.locator(`[data-chart="${chart}"] svg`).boundingBox();
    t.ok(box && box.width > 300 && box.height > 100, `${chart} chart drawn (${box?.width}×${box?.height})`);
  }
  t.match(await page.locator('[data-chart="dissemination"] svg').textContent(), /share of nodes holding it/);
});
