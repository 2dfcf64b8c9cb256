// A manifest's `tunable` settings: what the schema refuses, the start command and timing of a tuned
// implementation, and which families each implementation joins in `bench tradeoff`.
import path from "node:path";
import t from "tap";
import { AdapterManifest } from "../../../specs/adapter/manifest.js";
import { fill, loadManifest } from "../../../harness/adapters/manifest.js";
import { adapterImplementation, referenceImplementation } from "../../../harness/adapters/implementation.js";
import { tunedImplementation, whyNotTunable } from "../../../harness/adapters/tunable.js";
import { contestantsOf } from "../../../harness/bench/tradeoff/process.js";
import { packageRoot } from "../../../harness/paths.js";

const fixture = (name: string) => path.join(packageRoot(), "fixtures", "adapters", name);
const memberlistManifest = loadManifest(fixture("memberlist.json"));

t.test("the schema: {value} required, min at most max, each setting once, only the two known knobs", async (t) => {
  const withTunable = (tunable: unknown) => AdapterManifest.safeParse({ ...memberlistManifest, tunable });
  t.ok(withTunable([{ setting: "suspicionMult", args: ["-suspicion-mult={value}"], min: 1, max: 10 }]).success);
  const issue = (tunable: unknown) =>
    withTunable(tunable)
      .error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)
      .join("; ");
  t.match(issue([{ setting: "suspicionMult", args: ["-suspicion-mult=4"], min: 1, max: 10 }]), /tunable\.0\.args: an argument must say \{value\}/);
  t.match(issue([{ setting: "suspicionMult", args: ["-m={value}"], min: 9, max: 2 }]), /tunable\.0\.min: min is more than max/);
  t.match(
    issue([
      { setting: "suspicionMult", args: ["-m={value}"], min: 1, max: 2 },
      { setting: "suspicionMult", args: ["-n={value}"], min: 1, max: 2 },
    ]),
    /tunable: each setting at most once/,
  );
  t.match(issue([{ setting: "probeIntervalMs", args: ["-p={value}"], min: 1, max: 2 }]), /tunable\.0\.setting/);
  t.same(loadManifest(fixture("serf.json")).tunable, [], "absent: nothing to sweep");
});

t.test("a tuned adapter: the arguments appended with {value} filled, the rest left for start time, the timing saying so", async (t) => {
  const memberlist = await adapterImplementation(fixture("memberlist.json"));
  const tuned = tunedImplementation(memberlist, "suspicionMult", 7);
  const command = tuned.adapter!.manifest.start.command;
  t.same(command.slice(0, -1), memberlist.adapter!.manifest.start.command, "the original command first");
  t.equal(command.at(-1), "-suspicion-mult=7");
  t.equal(tuned.timing.suspicionMult, 7, "reports and expectations use the value it runs with");
  t.equal(memberlist.timing.suspicionMult, 4, "the untuned implementation is left as it was");
  t.equal(fill(command, { dir: "/d", id: "n1", host: "127.0.0.1", gossip: 1, admin: 2 })[1], "-name=n1", "{id} still filled when a node starts");
  const phi = tunedImplementation(await adapterImplementation(fixture("reference-phi.json")), "phiConvictThreshold", 12);
  t.same(phi.adapter!.manifest.start.command.slice(-2), ["--phi-convict-threshold", "12"]);
});

t.test("refusals name the implementation, the setting and the accepted range", async (t) => {
  const memberlist = await adapterImplementation(fixture("memberlist.json"));
  t.match(whyNotTunable(memberlist, "phiConvictThreshold", 8), /memberlist: its manifest \(.*memberlist\.json\) declares no tunable phiConvictThreshold/);
  t.match(whyNotTunable(memberlist, "suspicionMult", 101), /memberlist: suspicionMult 101 is outside what its manifest accepts \(1 to 100\)/);
  t.equal(whyNotTunable(memberlist, "suspicionMult", 100), undefined);
  t.throws(() => tunedImplementation(memberlist, "suspicionMult", 0), /outside/);
});

t.test("contestants: the reference node in both families with its own settings, an adapter in the families it declares", async (t) => {
  const reference = contestantsOf(referenceImplementation(), [2, 8], [4]);
  t.same(
    reference.map((c) => [c.family, c.setting, c.family === "swim" ? c.config?.suspicionMult : c.config?.phiConvictThreshold, c.config?.detector]),
    [
      ["swim", 2, 2, "swim"],
      ["swim", 8, 8, "swim"],
      ["phi", 4, 4, "phi"],
    ],
  );
  const memberlist = contestantsOf(await adapterImplementation(fixture("memberlist.json")), [2, 8], [4]);
  t.same(
    memberlist.map((c) => [c.implementation, c.family, c.setting, c.impl.adapter!.manifest.start.command.at(-1)]),
    [
      ["memberlist", "swim", 2, "-suspicion-mult=2"],
      ["memberlist", "swim", 8, "-suspicion-mult=8"],
    ],
    "no φ: memberlist has no heartbeat detector",
  );
});
