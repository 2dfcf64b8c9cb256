// The anti-entropy case's watch window: long enough that a correct node is missed one time in a million.
import t from "tap";
import { sessionWindowMs } from "../../../../harness/conformance/cases/kv.js";

t.test("every candidate listening: one session, plus one interval of phase, with 50% headroom", async (t) => {
  t.equal(sessionWindowMs(500, 4, 4), 1500);
});

t.test("the window grows as the fake members become a smaller share of the node's choices", async (t) => {
  const half = sessionWindowMs(500, 8, 4);
  const tenth = sessionWindowMs(500, 40, 4);
  // 1 − ½ per session: 20 sessions bring a miss under 1e-6; 1 − 1/10: 132.
  t.equal(half, Math.ceil(21 * 500 * 1.5));
  t.equal(tenth, Math.ceil(133 * 500 * 1.5));
  t.ok(0.5 ** 20 <= 1e-6 && 0.5 ** 19 > 1e-6, "20 is the least number of sessions for a one-in-a-million miss");
});

t.test("a view that lists fewer members than listen counts as all listening; none listening cannot be judged", async (t) => {
  t.equal(sessionWindowMs(1000, 2, 3), 3000);
  t.throws(() => sessionWindowMs(1000, 5, 0), RangeError);
});
