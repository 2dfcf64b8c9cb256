// Lifeguard's suspicion formula as the contract states it: bounds, expected confirmations, the shrink.
import t from "tap";
import { expectedConfirmations, suspicionBoundsMs, suspicionTimeoutAfter, suspicionTimeoutMs } from "../../../specs/protocol/suspicion.js";

t.test("the minimum timeout scales with log10(N), never below one", async (t) => {
  t.equal(suspicionTimeoutMs(4, 5, 1000), 4000, "small clusters: mult · interval");
  t.equal(suspicionTimeoutMs(4, 100, 1000), 8000, "log10(100) = 2");
  t.equal(suspicionTimeoutMs(4, 1000, 200), 2400);
});

t.test("the bounds: max is suspicionMaxTimeoutMult times min", async (t) => {
  t.same(suspicionBoundsMs({ suspicionMult: 4, suspicionMaxTimeoutMult: 6, probeIntervalMs: 1000 }, 8), { minMs: 4000, maxMs: 24_000 });
  t.same(suspicionBoundsMs({ suspicionMult: 5, suspicionMaxTimeoutMult: 3, probeIntervalMs: 200 }, 1000), { minMs: 3000, maxMs: 9000 });
});

t.test("mult − 2 confirmations are expected, none in a cluster too small to give them", async (t) => {
  t.equal(expectedConfirmations(4, 8), 2);
  t.equal(expectedConfirmations(4, 4), 2, "N − 2 = 2 others can confirm");
  t.equal(expectedConfirmations(4, 3), 0);
});

t.test("the shrink is logarithmic: the first confirmation counts most", async (t) => {
  t.equal(suspicionTimeoutAfter(0, 5, 10_000, 60_000), 60_000, "none: the maximum");
  t.equal(suspicionTimeoutAfter(5, 5, 10_000, 60_000), 10_000, "all: the minimum");
  t.equal(suspicionTimeoutAfter(3, 0, 10_000, 60_000), 10_000, "none expected: the minimum");
  const first = 60_000 - suspicionTimeoutAfter(1, 5, 10_000, 60_000);
  const last = suspicionTimeoutAfter(4, 5, 10_000, 60_000) - suspicionTimeoutAfter(5, 5, 10_000, 60_000);
  t.ok(first > last, `first step ${first} ms > last step ${last} ms`);
});
