// The fault strip's layout, alone: overlapping windows (and labels that would run into each other)
// take separate lanes, a window near the end has its label moved left to stay on the chart, the
// same window on several targets is labelled once; a partition's label names its sides.
import t from "tap";
import { labelLanes, PLOT_WIDTH } from "../../../harness/report/time-axis.js";
import { faultLabel } from "../../../harness/report/timeline.js";

const band = (label: string, fromS: number, toS: number) => ({ kind: label.split(" ")[0]!, label, fromS, toS });

t.test("lanes: overlaps stack, a later window reuses a freed lane, labels never run into each other", (t) => {
  const lanes = labelLanes([band("loss 10% n1", 1, 5), band("crash n3", 2, 2.05), band("pause n2", 30, 35), band("crash n4", 2.1, 2.15)], 60);
  t.same(
    lanes.map((f) => [f.label, f.lane]),
    [
      ["loss 10% n1", 0],
      ["crash n3", 1],
      // Its window is clear of crash n3's, but crash n3's label (56 px, some 4 s of a 60 s chart) is not.
      ["crash n4", 2],
      ["pause n2", 0],
    ],
  );
  t.end();
});

t.test("a window near the end: its label starts early enough to end on the chart", (t) => {
  const [late] = labelLanes([band("partition n1,n2 | n3,n4,n5", 59.9, 60)], 60);
  const labelWidthS = ((late!.label.length * 6.2 + 6) * 60) / PLOT_WIDTH;
  t.ok(late!.labelS + labelWidthS <= 60 + 1e-9, `label from ${late!.labelS.toFixed(2)} s`);
  t.ok(late!.labelS < late!.fromS);
  t.end();
});

t.test("the same window on several targets is one label", (t) => {
  t.equal(labelLanes([band("crash n1", 3, 3.05), band("crash n1", 3, 3.05)], 10).length, 1);
  t.end();
});

t.test("labels: a partition by its sides, figures for loss and latency, a count past six nodes", (t) => {
  const grudge = { n1: ["n3", "n4", "n5"], n2: ["n3", "n4", "n5"], n3: ["n1", "n2"], n4: ["n1", "n2"], n5: ["n1", "n2"] };
  t.equal(faultLabel({ kind: "partition", targets: ["n1", "n2", "n3", "n4", "n5"], params: { grudge } }), "partition n1,n2 | n3,n4,n5");
  t.equal(faultLabel({ kind: "loss", targets: ["n1", "n2"], params: { rate: 0.1 } }), "loss 10% n1,n2");
  t.equal(faultLabel({ kind: "latency", targets: ["n1"], params: { latencyMs: 200, jitterMs: 20 } }), "latency 200 ms ± 20 ms n1");
  t.equal(faultLabel({ kind: "loss", targets: Array.from({ length: 1000 }, (_, i) => `n${i + 1}`), params: { rate: 0.05 } }), "loss 5% 1000 nodes");
  t.end();
});
