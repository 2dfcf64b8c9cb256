// The Docker runtime against a real engine: scenarios in containers with the process runtime's verdicts, cleanup on Ctrl-C, the sweep.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../harness/paths.js";
import { connectDocker, LABEL_OWNER_PID, LABEL_RUN, sweepLeftovers } from "../../harness/runtime/docker/engine.js";
import { requireImage } from "../../harness/runtime/docker/image.js";
import { GRAPEVINE_IMAGE } from "../../harness/runtime/docker/image-names.js";
import type { Summary } from "../../specs/report/summary.js";

const docker = new Docker();
const engine = await docker.ping().then(() => true, () => false);
const image = engine && (await docker.getImage(GRAPEVINE_IMAGE).inspect().then(() => true, () => false));
const missing = !engine ? "no Docker engine answers" : !image ? `${GRAPEVINE_IMAGE} is missing` : undefined;
// CI (.ci/run) starts an engine, builds the image and sets GRAPEVINE_REQUIRE_DOCKER, so that a missing engine fails there.
if (missing && process.env.GRAPEVINE_REQUIRE_DOCKER) t.fail(`GRAPEVINE_REQUIRE_DOCKER is set but ${missing}`);
const skip = missing ? `${missing}: start dockerd and run \`npx grapevine image build --offline\`` : false;

const scenario = (name: string) => path.join(packageRoot(), "specs", "scenarios", name);

async function run(files: string[], extra: string[]) {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-docker-"));
  const result = await execa(process.execPath, [builtCli(), "run", ...files, "--report-dir", reportDir, ...extra], { reject: false, timeout: 240_000 });
  const runDir = path.join(reportDir, readdirSync(reportDir)[0]!);
  return { result, runDir, summary: () => JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as Summary };
}

const verdicts = (summary: Summary) => summary.scenarios.map((s) => ({ scenario: s.name, verdict: s.verdict, checks: s.checks.map((c) => `${c.name}: ${c.verdict}`) }));

async function leftovers(): Promise<string[]> {
  const filters = { label: [LABEL_RUN] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => c.Names[0]!), ...networks.map((n) => n.Name)];
}

t.test("crash, partition-heal and pause in containers (host network): the process runtime's verdicts", { skip }, async (t) => {
  const files = [scenario("02-crash-detection.yaml"), scenario("06-partition-heal.yaml"), scenario("04-pause-short.yaml")];
  const docker = await run(files, ["--runtime", "docker", "--docker-network", "host", "--seed", "5"]);
  t.equal(docker.result.exitCode, 0, docker.result.stdout + docker.result.stderr);
  const summary = docker.summary();
  t.equal(summary.runtime, "docker");
  t.match(summary.toxiproxy, /^container-/);
  const processRun = await run([files[0]!], ["--seed", "5"]);
  t.equal(processRun.summary().runtime, "process");
  t.same(verdicts(summary)[0], verdicts(processRun.summary())[0], "crash-detection: the same checks with the same verdicts");
  const logs = readdirSync(path.join(docker.runDir, "logs", "crash-detection"));
  t.same(logs.sort(), ["n1.log", "n2.log", "n3.log", "n4.log", "n5.log"], "every node's log copied into the run folder");
  t.match(readFileSync(path.join(docker.runDir, "logs", "crash-detection", "n1.log"), "utf8"), /"msg":"started"/);
  t.same(await leftovers(), [], "no container or network left");
});

t.test("a network of the run's own (bridge): containers reach each other by address, then everything is removed", { skip }, async (t) => {
  const { result, summary } = await run([scenario("02-crash-detection.yaml")], ["--runtime", "docker"]);
  t.equal(result.exitCode, 0, result.stdout + result.stderr);
  t.equal(summary().scenarios[0]?.verdict, "pass");
  t.same(await leftovers(), []);
});

t.test("Ctrl-C mid-run leaves no container and no network", { skip }, async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-docker-int-"));
  const child = execa(process.execPath, [builtCli(), "run", scenario("06-partition-heal.yaml"), "--runtime", "docker", "--report-dir", reportDir], { reject: false, timeout: 120_000 });
  // Wait until the run's nodes are up (a container per node and the proxy), then interrupt.
  const deadline = Date.now() + 60_000;
  while ((await docker.listContainers({ filters: { label: [`${LABEL_OWNER_PID}=${child.pid}`] } })).length < 6 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  t.ok((await leftovers()).length >= 7, "containers and the network exist before the interrupt");
  child.kill("SIGINT");
  const result = await child;
  t.equal(result.exitCode, 130, result.stderr);
  t.same(await leftovers(), [], "`docker ps -a` and `docker network ls` show nothing of the run");
});

t.test("the start-up sweep removes what a crashed earlier run left behind", { skip }, async (t) => {
  const dead = execa(process.execPath, ["-e", ""]);
  await dead;
  const labels = { [LABEL_RUN]: "gv-crashed-earlier", [LABEL_OWNER_PID]: String(dead.pid) };
  const network = await docker.createNetwork({ Name: "gv-crashed-earlier", Labels: labels });
  const container = await docker.createContainer({ name: "gv-crashed-earlier-n1", Image: GRAPEVINE_IMAGE, Cmd: ["--help"], Labels: labels });
  const live = await docker.createContainer({ name: "gv-still-running-n1", Image: GRAPEVINE_IMAGE, Cmd: ["--help"], Labels: { [LABEL_RUN]: "gv-live", [LABEL_OWNER_PID]: String(process.pid) } });
  t.teardown(() => live.remove({ force: true }).catch(() => undefined));
  const swept = await sweepLeftovers(await connectDocker());
  t.same(swept, { containers: ["/gv-crashed-earlier-n1"], networks: ["gv-crashed-earlier"] });
  await t.rejects(container.inspect(), "the orphan's container is gone");
  await t.rejects(network.inspect(), "and its network");
  await t.resolves(live.inspect(), "a run whose harness is alive is left alone");
});

t.test("clear errors: no engine, image missing", { skip }, async (t) => {
  const result = await execa(process.execPath, [builtCli(), "run", scenario("02-crash-detection.yaml"), "--runtime", "docker"], {
    reject: false,
    env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" },
  });
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock .*dockerd --iptables=false --storage-driver=vfs/);
  await t.rejects(requireImage(await connectDocker(), "grapevine/absent:none"), /image grapevine\/absent:none is missing: build it with `npx grapevine image build --offline`/);
});
