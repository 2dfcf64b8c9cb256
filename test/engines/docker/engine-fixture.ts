// Shared pieces of the Docker runtime tests: is there an engine and the image, a run of `grapevine run`, what a run left behind.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { LABEL_RUN } from "../../../harness/runtime/docker/engine.js";
import { GRAPEVINE_IMAGE } from "../../../harness/runtime/docker/image-names.js";
import type { Summary } from "../../../specs/report/summary.js";

export const docker = new Docker();

/**
 * false when the engine answers and has the image; otherwise the reason to skip. CI (.ci/run)
 * starts an engine, builds the image and sets GRAPEVINE_REQUIRE_DOCKER, so a missing one fails there.
 */
export async function dockerSkip(): Promise<string | false> {
  const engine = await docker.ping().then(
    () => true,
    () => false,
  );
  const image =
    engine &&
    (await docker
      .getImage(GRAPEVINE_IMAGE)
      .inspect()
      .then(
        () => true,
        () => false,
      ));
  const missing = !engine ? "no Docker engine answers" : !image ? `${GRAPEVINE_IMAGE} is missing` : undefined;
  if (missing && process.env.GRAPEVINE_REQUIRE_DOCKER) t.fail(`GRAPEVINE_REQUIRE_DOCKER is set but ${missing}`);
  return missing ? `${missing}: start dockerd and run \`npx grapevine image build --offline\`` : false;
}

export const scenario = (name: string) => path.join(packageRoot(), "specs", "scenarios", name);

/** `grapevine run FILES EXTRA` into a fresh report folder. */
export async function run(files: string[], extra: string[]) {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-docker-"));
  const result = await execa(process.execPath, [builtCli(), "run", ...files, "--report-dir", reportDir, ...extra], { reject: false, timeout: 150_000 });
  const runDir = path.join(reportDir, readdirSync(reportDir)[0]!);
  return { result, runDir, summary: () => JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as Summary };
}

export const verdicts = (summary: Summary) =>
  summary.scenarios.map((s) => ({ scenario: s.name, verdict: s.verdict, checks: s.checks.map((c) => `${c.name}: ${c.verdict}`) }));

/** Every container and network that carries Grapevine's run label. */
export async function leftovers(): Promise<string[]> {
  const filters = { label: [LABEL_RUN] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => c.Names[0]!), ...networks.map((n) => n.Name)];
}
