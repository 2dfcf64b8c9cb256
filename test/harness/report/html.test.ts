/// <reference lib="dom" />
// The HTML report as a person sees it: opened offline in headless Chromium, its charts drawn, a screenshot kept.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { chromium } from "playwright-core";
import t from "tap";
import { recheck } from "../../../harness/cli/commands/check.js";
import { readHistory } from "../../../harness/history/read.js";
import { builtCli, packageRoot } from "../../../harness/paths.js";
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

/** Where each chart of a page sits against the report's column, and each fault label, as Chromium lays them out. */
interface Layout {
  charts: { section: string; chart: string; overflowPx: number; leftPx: number; rightPx: number }[];
  labels: { section: string; text: string; left: number; right: number; top: number; bottom: number; inside: boolean }[];
  xAxes: { section: string; chart: string; label: string; left: number; right: number }[];
  openEvidence: { section: string; verdict: string; open: boolean }[];
}

t.test(
  "[chromium] a report that reads at a glance: charts fit the column, fault windows labelled, one time axis, failures open",
  { skip: noChromium },
  async (t) => {
    const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-glance-"));
    // Simulated, so quick and the same every time: crashes, a partition, writes across it, a rolling
    // restart and, under the no-refute mutant, a pause that fails (its evidence must be open).
    const scenarios = ["02-crash-detection.yaml", "05-pause-long.yaml", "06-partition-heal.yaml", "11-rolling-restart.ts", "13-partition-writes.yaml"];
    const run = await execa(
      process.execPath,
      [
        builtCli(),
        "run",
        "--runtime",
        "sim",
        "--seed",
        "3",
        "--mutant",
        "no-refute",
        ...scenarios.map((s) => `specs/scenarios/${s}`),
        "--report-dir",
        reportDir,
      ],
      { reject: false, timeout: 120_000, cwd: packageRoot() },
    );
    t.equal(run.exitCode, 1, "pause-long fails without refutation");
    const runDir = path.join(reportDir, "latest");
    const records = readHistory(path.join(runDir, "history.ndjson"));

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    t.teardown(() => browser.close());
    // The window a laptop gives a report; the column is 1000 px.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${path.join(runDir, "index.html")}`);
    const layout: Layout = await page.evaluate(() => {
      const column = document.body.getBoundingClientRect();
      const section = (el: Element) => el.closest("section")?.id ?? "";
      return {
        charts: [...document.querySelectorAll<HTMLElement>(".chart")].map((div) => {
          const box = div.querySelector("svg")!.getBoundingClientRect();
          return {
            section: section(div),
            chart: div.dataset.chart!,
            overflowPx: div.scrollWidth - div.clientWidth,
            leftPx: box.left - column.left,
            rightPx: box.right - column.right,
          };
        }),
        labels: [...document.querySelectorAll(".fault_labels_marks text")].map((text) => {
          const box = text.getBoundingClientRect();
          const svg = text.closest("svg")!.getBoundingClientRect();
          const inside = box.left >= svg.left && box.right <= svg.right && box.top >= svg.top && box.bottom <= svg.bottom;
          return { section: section(text), text: text.textContent ?? "", left: box.left, right: box.right, top: box.top, bottom: box.bottom, inside };
        }),
        xAxes: [...document.querySelectorAll(".chart g[aria-label^=\"X-axis titled 'seconds since start'\"]")].map((axis) => {
          const domain = axis.querySelector(".role-axis-domain path, .role-axis-domain line") ?? axis;
          const box = domain.getBoundingClientRect();
          return {
            section: section(axis),
            chart: (axis.closest(".chart") as HTMLElement).dataset.chart!,
            label: axis.getAttribute("aria-label")!,
            left: box.left,
            right: box.right,
          };
        }),
        openEvidence: [...document.querySelectorAll("section tr")].flatMap((row) => {
          const details = row.querySelector("details");
          return details ? [{ section: section(row), verdict: row.querySelector("td")!.textContent!, open: details.open }] : [];
        }),
      };
    });

    // Every chart inside the 1000 px column, none scrolling.
    t.ok(layout.charts.length >= 12, `${layout.charts.length} charts`);
    for (const c of layout.charts) {
      t.ok(
        c.overflowPx <= 0 && c.leftPx >= -0.5 && c.rightPx <= 0.5,
        `${c.section}/${c.chart} fits its column (overflow ${c.overflowPx} px, ${c.rightPx.toFixed(1)} px past its right edge)`,
      );
    }

    // Every fault window labelled, inside its chart, no two labels on top of each other. The windows
    // are read from the history: a fault's start or a node going down, each at its own instant at least.
    for (const name of scenarios.map((s) => s.replace(/^\d+-|\.(yaml|ts)$/g, ""))) {
      const own = records.filter((r) => r.scenario === name);
      const instants = new Set(own.flatMap((r) => ((r.type === "fault" && r.phase === "start") || r.type === "node-down" ? [r.t] : [])));
      const labels = layout.labels.filter((l) => l.section === name);
      t.ok(labels.length >= instants.size && instants.size > 0, `${name}: ${labels.length} labels for ${instants.size} fault instants`);
      for (const l of labels) t.ok(l.inside && l.text.length > 0 && l.right > l.left, `${name}: "${l.text}" visible`);
      const overlapping = labels.filter((a, i) => labels.some((b, j) => i < j && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom));
      t.same(
        overlapping.map((l) => l.text),
        [],
        `${name}: no label covers another`,
      );
    }
    t.ok(
      layout.labels.some((l) => /^partition n1,n2 \| n3,n4,n5$/.test(l.text)),
      "a partition's label names its sides",
    );

    // One time axis: in each scenario every chart over scenario time has the same domain, at the same pixels.
    for (const name of ["partition-heal", "partition-writes"]) {
      const axes = layout.xAxes.filter((a) => a.section === name);
      t.same(
        [...new Set(axes.map((a) => a.chart))].sort(),
        name === "partition-writes" ? ["agreement", "convergence", "timeline"] : ["convergence", "timeline"],
        `${name}: the views, convergence${name === "partition-writes" ? " and key-value" : ""} charts are on scenario time`,
      );
      t.equal(new Set(axes.map((a) => a.label)).size, 1, `${name}: one domain (${axes[0]?.label})`);
      t.ok(
        axes.every((a) => Math.abs(a.left - axes[0]!.left) <= 1.5 && Math.abs(a.right - axes[0]!.right) <= 1.5),
        `${name}: the axes line up, to a pixel and a half (${axes.map((a) => `${a.chart} ${a.left.toFixed(0)}–${a.right.toFixed(0)}`).join(", ")})`,
      );
    }

    // Failed checks' evidence open, the rest closed.
    const failed = layout.openEvidence.filter((e) => e.verdict === "FAIL");
    t.ok(failed.length > 0, `${failed.length} failed checks with evidence`);
    t.ok(
      failed.every((e) => e.open),
      "open where the check failed",
    );
    t.ok(
      layout.openEvidence.filter((e) => e.verdict !== "FAIL").every((e) => !e.open),
      "closed where it passed",
    );

    // Detection drawn once: crash-detection expects it in a step and checks it again at the end.
    const detection = await page.locator('#crash-detection [data-chart="detection"] svg').textContent();
    t.equal((detection!.match(/detection n3/g) ?? []).length, 1, "the detection of n3 drawn once");

    // Start-up is not a change: rolling-restart's convergence points are its five crash-and-restarts.
    const points = await page.locator('#rolling-restart [data-chart="convergence"] .mark-symbol path').count();
    t.equal(points, 5, "one convergence point per restart, none for the cluster's start");
    await page.screenshot({ path: path.join(packageRoot(), "reports", "screenshots", "glance-report.png"), fullPage: true });
  },
);
