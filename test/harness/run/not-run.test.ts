// Which scenarios cannot run on an implementation under an engine, and why: the scenario-level SKIP.
import t from "tap";
import { Scenario } from "../../../specs/scenario/scenario.js";
import { notRunReason } from "../../../harness/run/scenario-runner.js";

const scenario = (steps: unknown[]) => Scenario.parse({ name: "s", description: "d", steps });
const serf = { name: "serf", shows: { kv: false, suspect: false, incarnation: false } };

t.test("datagram faults need the packet engine; writes need a key-value store", async (t) => {
  const reorder = scenario([{ wait: "1s" }, { reorder: { rate: 0.2, delay: "50ms" } }, { duplicate: { rate: 0.1 } }]);
  t.match(notRunReason(reorder, undefined, "proxy"), /^not run: its reorder and duplicate steps act on datagrams, .*run with --faults packet$/);
  t.equal(notRunReason(reorder, undefined, "packet"), undefined, "the packet engine runs it");
  const writes = scenario([{ put: { node: "n1", key: "k", value: "v" } }]);
  t.match(notRunReason(writes, serf, "packet"), /^not run: serf has no key-value store, which its put steps write to$/);
  t.equal(notRunReason(writes, undefined, "proxy"), undefined, "the reference node has one");
  t.equal(notRunReason(scenario([{ crash: "n2" }]), serf, "proxy"), undefined);
});
