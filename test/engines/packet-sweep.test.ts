// After a SIGKILL of the harness, the next start sweeps every namespace, link, rule and process the
// dead harness left; a live harness's network is never touched.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execa } from "execa";
import t from "tap";
import { sweepPacketNetworks } from "../../harness/faults/packet/network.js";
import { PacketEngine } from "../../harness/faults/packet/packet-engine.js";
import { packageRoot } from "../../harness/paths.js";
import { engineSkip } from "./requirements.js";

const skip = await engineSkip(t, false);
const here = path.dirname(fileURLToPath(import.meta.url));
const builtEngine = pathToFileURL(path.join(packageRoot(), "dist", "harness", "faults", "packet", "packet-engine.js")).href;

const namespaces = async () => (await execa("ip", ["netns", "list"])).stdout;
/** Running, not merely a zombie left for its (dead) parent's reaper to collect. */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
};

t.test("a SIGKILLed harness's network is swept at the next start; a live one's is left alone", { skip, timeout: 60_000 }, async (t) => {
  const live = await PacketEngine.create();
  t.teardown(() => live.close());
  await live.add([{ id: "x", addr: "127.0.0.1:7946" }]);

  const harness = execa(process.execPath, [path.join(here, "leftover-network.mjs"), builtEngine], { reject: false, lines: true });
  const line = await new Promise<string>((resolve, reject) => {
    harness.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString()));
    void harness.then((r) => reject(new Error(`the harness exited first: ${r.stderr}`)));
  });
  const left = JSON.parse(line) as { router: string; nodes: string[]; hostIf: string; sleeper: number };
  harness.kill("SIGKILL");
  await harness;
  for (const ns of [left.router, ...left.nodes]) t.match(await namespaces(), ns, `${ns} outlived the harness`);
  t.ok(alive(left.sleeper), "and so did the process inside");

  const swept = await sweepPacketNetworks();
  t.same(swept.sort(), [left.router, ...left.nodes].sort(), "the sweep names what it removed");
  const after = await namespaces();
  for (const ns of [left.router, ...left.nodes]) t.notMatch(after, ns, `${ns} removed`);
  t.notMatch((await execa("ip", ["-o", "link"])).stdout, left.hostIf, "the harness's link went with the router");
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.notOk(alive(left.sleeper), "the process inside was killed");
  t.match(after, live.network.names.router, "the live harness's network is untouched");
  t.match(after, live.placement("x").netns);
});
