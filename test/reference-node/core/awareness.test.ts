// Lifeguard's local health multiplier.
import t from "tap";
import { Awareness } from "../../../reference-node/core/awareness.js";

t.test("health score stays within [0, max − 1] and stretches timeouts", async (t) => {
  const a = new Awareness(8);
  t.equal(a.scale(500), 500, "healthy: unchanged");
  a.applyDelta(-3);
  t.equal(a.healthScore, 0, "never below zero");
  a.applyDelta(2);
  t.equal(a.scale(500), 1500, "score 2: three times as long");
  a.applyDelta(100);
  t.equal(a.healthScore, 7, "capped at max − 1");
  t.equal(a.scale(1000), 8000, "at most awarenessMaxMultiplier times");
});
