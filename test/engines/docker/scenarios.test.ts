// [docker engine] Scenarios in containers on the host network give the process runtime's verdicts, with every node's log kept.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { dockerSkip, leftovers, run, scenario, verdicts } from "./engine-fixture.js";

const skip = await dockerSkip();

t.test("[docker engine, ~1 min] crash, partition-heal and pause in containers (host network): the process runtime's verdicts", { skip }, async (t) => {
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
