// [docker engine] Nothing is left behind: not after Ctrl-C, not after a harness that died; and errors say what to do.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli } from "../../../harness/paths.js";
import { connectDocker, LABEL_OWNER_PID, LABEL_RUN, sweepLeftovers } from "../../../harness/runtime/docker/engine.js";
import { requireImage } from "../../../harness/runtime/docker/image.js";
import { GRAPEVINE_IMAGE } from "../../../harness/runtime/docker/image-names.js";
import { docker, dockerSkip, leftovers, scenario } from "./engine-fixture.js";

const skip = await dockerSkip();

t.test("[docker engine, ~15 s] Ctrl-C mid-run leaves no container and no network", { skip }, async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-docker-int-"));
  const child = execa(process.execPath, [builtCli(), "run", scenario("06-partition-heal.yaml"), "--runtime", "docker", "--report-dir", reportDir], {
    reject: false,
    timeout: 120_000,
  });
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

t.test("[docker engine] the start-up sweep removes what a crashed earlier run left behind", { skip }, async (t) => {
  const dead = execa(process.execPath, ["-e", ""]);
  await dead;
  const labels = { [LABEL_RUN]: "gv-crashed-earlier", [LABEL_OWNER_PID]: String(dead.pid) };
  const network = await docker.createNetwork({ Name: "gv-crashed-earlier", Labels: labels });
  const container = await docker.createContainer({ name: "gv-crashed-earlier-n1", Image: GRAPEVINE_IMAGE, Cmd: ["--help"], Labels: labels });
  const live = await docker.createContainer({
    name: "gv-still-running-n1",
    Image: GRAPEVINE_IMAGE,
    Cmd: ["--help"],
    Labels: { [LABEL_RUN]: "gv-live", [LABEL_OWNER_PID]: String(process.pid) },
  });
  t.teardown(() => live.remove({ force: true }).catch(() => undefined));
  const swept = await sweepLeftovers(await connectDocker());
  t.same(swept, { containers: ["/gv-crashed-earlier-n1"], networks: ["gv-crashed-earlier"] });
  await t.rejects(container.inspect(), "the orphan's container is gone");
  await t.rejects(network.inspect(), "and its network");
  await t.resolves(live.inspect(), "a run whose harness is alive is left alone");
});

t.test("[docker engine] clear errors: no engine, image missing", { skip }, async (t) => {
  const result = await execa(process.execPath, [builtCli(), "run", scenario("02-crash-detection.yaml"), "--runtime", "docker"], {
    reject: false,
    env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" },
  });
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock .*dockerd --iptables=false/);
  await t.rejects(
    requireImage(await connectDocker(), "grapevine/absent:none"),
    /image grapevine\/absent:none is missing: build it with `npx grapevine image build --offline`/,
  );
});
