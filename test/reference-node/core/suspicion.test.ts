// The reference node's suspicion timer: how independent confirmations shrink it (the formula: test/specs/protocol).
import t from "tap";
import { Suspicion } from "../../../reference-node/core/suspicion.js";

t.test("the timeout falls from max to min as confirmations arrive", async (t) => {
  const params = { suspicionMult: 4, suspicionMaxTimeoutMult: 6, probeIntervalMs: 1000, clusterSize: 8 };
  const s = new Suspicion(10_000, 3, "a", params);
  t.equal(s.expected, 2, "k = mult − 2");
  t.equal(s.deadline(), 10_000 + 24_000, "no confirmation: the maximum");
  t.ok(s.confirm("b"), "a new member confirms");
  const afterOne = s.deadline();
  t.ok(afterOne < 34_000 && afterOne > 14_000, `one confirmation: between min and max (${afterOne})`);
  t.notOk(s.confirm("b"), "the same member does not confirm twice");
  t.notOk(s.confirm("a"), "the first suspector does not confirm its own suspicion");
  t.notOk(s.confirm(undefined), "an anonymous suspicion does not confirm");
  t.equal(s.deadline(), afterOne);
  t.ok(s.confirm("c"));
  t.equal(s.deadline(), 10_000 + 4000, "k confirmations: the minimum");
  t.notOk(s.confirm("d"), "confirmations beyond k are not needed");
  t.equal(s.confirmations, 2);
});

t.test("a cluster too small to confirm uses the minimum at once", async (t) => {
  const s = new Suspicion(0, 0, "a", { suspicionMult: 4, suspicionMaxTimeoutMult: 6, probeIntervalMs: 200, clusterSize: 3 });
  t.equal(s.expected, 0);
  t.equal(s.deadline(), 800);
});
