// Rolling restart: every node in turn is killed and started again on its port; the cluster must re-form after each.
import { defineScenario } from "../scenario/scenario.js";

const nodes = ["n1", "n2", "n3", "n4", "n5"];

export default defineScenario({
  name: "rolling-restart",
  description:
    "Each node in turn is killed and restarted with the same id and address, waiting for the cluster to converge in between. Every restarted node must rejoin alive everywhere.",
  nodes: nodes.length,
  steps: [
    { wait: { until: "converged", timeout: "push-pull + 10s" } },
    ...nodes.flatMap((node) => [{ restart: node }, { wait: { until: "converged", timeout: "15s" } }, { wait: "500ms" }]),
  ],
  checks: [{ converged: { within: "5s" } }, { flaps: {} }],
});
