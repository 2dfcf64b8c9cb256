// [docker engine + packet engine] The Docker runtime under packet-level faults: each container's own
// network namespace is wired to the run's router, so UDP between containers is cut and delayed like
// any other packets, and the default suite's scenarios run in containers with `--faults packet`.
// Needs a Docker engine with the image, root and nft (CI requires all three).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import t from "tap";
import { ownerPid } from "../../../harness/faults/packet/names.js";
import { builtCli } from "../../../harness/paths.js";
import { processAlive } from "../../../harness/process-alive.js";
import { PacketEngine } from "../../../harness/faults/packet/packet-engine.js";
import { DockerRuntime } from "../../../harness/runtime/docker/docker-runtime.js";
import { LABEL_ROLE, LABEL_RUN } from "../../../harness/runtime/docker/engine.js";
import { docker, dockerSkip, leftovers, run, scenario } from "./engine-fixture.js";
import { engineSkip } from "../requirements.js";

const skip = (await engineSkip(t, false)) || (await dockerSkip());
const probeSource = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "net-probe.mjs"), "utf8");
const PORT = 7946;

/** Runs net-probe.mjs inside container `id` with the image's own node (docker exec): its namespaces, not the host's. */
function inContainer(container: string, args: string[], options: { stdin?: "pipe" } = {}) {
  return execa(
    "docker",
    ["exec", ...(options.stdin ? ["-i"] : []), container, "/usr/local/bin/node", "--input-type=module", "-e", probeSource, "--", "probe", ...args],
    {
      lines: true,
      ...(options.stdin ? { stdin: "pipe" as const } : {}),
    },
  );
}

t.test("UDP between two containers' namespaces is cut by a partition and delayed by latency", { skip, timeout: 120_000 }, async (t) => {
  const runtime = await DockerRuntime.create({ network: "host", mounts: [] });
  const engine = await PacketEngine.create();
  t.teardown(async () => {
    await engine.close();
    await runtime.close();
  });
  const holders = { a: await runtime.netnsHolder("a"), b: await runtime.netnsHolder("b") };
  await engine.add([
    { id: "a", addr: `0.0.0.0:${PORT}`, netnsPid: holders.a },
    { id: "b", addr: `0.0.0.0:${PORT}`, netnsPid: holders.b },
  ]);
  const a = engine.placement("a");
  const b = engine.placement("b");
  const identify = await execa("ip", ["netns", "identify", String(holders.b)]);
  t.equal(identify.stdout.trim(), b.netns, "the engine's namespace for b is the container's own");
  // The holder containers themselves, by the pid Docker reports for each.
  const listed = await docker.listContainers({ filters: { label: [`${LABEL_RUN}=${runtime.runId}`, `${LABEL_ROLE}=netns`] } });
  const byPid = new Map<number, string>();
  for (const c of listed) byPid.set((await docker.getContainer(c.Id).inspect()).State.Pid, c.Id);
  const [ca, cb] = [byPid.get(holders.a), byPid.get(holders.b)];
  t.ok(ca && cb, "both holder containers run");

  const echo = inContainer(cb!, ["echo", "udp", b.host, String(PORT), "60000"], { stdin: "pipe" });
  await new Promise<void>((resolve, reject) => {
    echo.stdout!.once("data", () => resolve());
    void echo.catch(reject);
  });
  const ping = async (count: number) => {
    const r = await inContainer(ca!, ["ping", "udp", a.host, String(PORT), b.host, String(PORT), String(count), "20", "1500"]);
    return JSON.parse(r.stdout.at(-1)!) as { sent: number; rtts: number[] };
  };

  const clean = await ping(20);
  t.equal(clean.rtts.length, 20, "no fault: every datagram answered");

  const cut = await engine.partition({ a: ["b"], b: ["a"] });
  const cutResult = await ping(20);
  t.equal(cutResult.rtts.length, 0, "partitioned: no datagram answered");
  await cut.undo();

  await engine.latency(100, 0, [["a", "b"]]);
  const slow = await ping(10);
  const sorted = [...slow.rtts].sort((x, y) => x - y);
  t.equal(slow.rtts.length, 10, "latency: every datagram answered");
  t.ok(sorted[0]! >= 95, `latency: the quickest round trip (${sorted[0]?.toFixed(1)} ms) carries the 100 ms one-way delay`);
  await engine.clear();

  echo.stdin!.end();
  const received = JSON.parse((await echo).stdout.at(-1)!) as { received: number };
  t.ok(received.received >= 30, `the echo inside container b heard the datagrams that got through (${received.received})`);
});

t.test(
  "[~1.5 min] partition-heal, crash-detection and rolling-restart in containers under --faults packet: pass; datagram faults SKIP; nothing left",
  { skip, timeout: 240_000 },
  async (t) => {
    const files = [
      scenario("06-partition-heal.yaml"),
      scenario("02-crash-detection.yaml"),
      scenario("11-rolling-restart.ts"),
      scenario("17-duplicate-reorder.yaml"),
    ];
    const result = await run(files, ["--runtime", "docker", "--faults", "packet", "--seed", "5"]);
    t.equal(result.result.exitCode, 0, result.result.stdout + result.result.stderr);
    const summary = result.summary();
    t.equal(summary.runtime, "docker");
    t.equal(summary.faults, "packet");
    t.same(
      summary.scenarios.map((s) => [s.name, s.verdict]),
      [
        ["partition-heal", "pass"],
        ["crash-detection", "pass"],
        ["rolling-restart", "pass"],
        ["duplicate-reorder", "skip"],
      ],
    );
    t.match(
      summary.scenarios.at(-1)!.checks[0]!.summary,
      /no datagram crossed the links its duplicate and reorder steps faulted/,
      "the reference node's wire is TCP: datagram faults judge nothing there, and say so",
    );
    const recheck = await execa(process.execPath, [builtCli(), "check", result.runDir], { reject: false });
    t.match(recheck.stderr, /every verdict matches summary\.json/, "check gives that SKIP again from the history");
    const history = readFileSync(path.join(result.runDir, "history.ndjson"), "utf8");
    t.match(history, /"kind":"partition"/, "the partition went through the packet engine's fault log");
    t.same(await leftovers(), [], "no container or network left");
    // The run has exited: a namespace of a harness that is gone would be its leftover.
    const namespaces = (await execa("ip", ["netns", "list"])).stdout.split("\n").map((line) => line.split(" ")[0]!);
    t.same(
      namespaces.filter((name) => ownerPid(name) !== undefined && !processAlive(ownerPid(name)!)),
      [],
      "no namespace of the run left",
    );
  },
);
