// An adapter's command view: the health score read through a command, as Serf's `serf info` gives it.
import t from "tap";
import { CommandViewApi, healthAt } from "../../../harness/adapters/command-view-api.js";
import type { CommandView } from "../../../specs/adapter/manifest.js";

const view: CommandView = {
  kind: "command",
  command: ["serf", "members"],
  members: "members",
  fields: { id: "name", addr: "addr", state: "status" },
  states: { alive: "alive", failed: "dead" },
  health: { command: ["serf", "info"], field: "serf.health_score" },
};

/** argv that prints `json` from a real child process. */
const printing = (json: unknown) => [process.execPath, "-e", `process.stdout.write(${JSON.stringify(JSON.stringify(json))})`];

t.test("healthAt: a dotted path to a whole number, or a string of digits as Serf prints it", async (t) => {
  t.equal(healthAt({ serf: { health_score: "2" } }, "serf.health_score"), 2);
  t.equal(healthAt({ healthScore: 0 }, "healthScore"), 0);
  t.equal(healthAt({ serf: {} }, "serf.health_score"), undefined, "absent: the node shows none");
  t.equal(healthAt({ serf: null }, "serf.health_score"), undefined);
  t.throws(() => healthAt({ serf: { health_score: "high" } }, "serf.health_score"), /"high", not a whole number ≥ 0/);
  t.throws(() => healthAt({ score: -1 }, "score"), /not a whole number/);
});

t.test("a command view reads the health score through its health command; without one it offers none", async (t) => {
  const serfLike = new CommandViewApi("n1", printing({ members: [] }), view, 250, printing({ serf: { health_score: "3", members: "5" } }));
  t.equal(await serfLike.health!(), 3, "read from the child's JSON at serf.health_score");
  const withoutField = new CommandViewApi("n1", printing({ members: [] }), view, 250, printing({ serf: {} }));
  t.equal(await withoutField.health!(), undefined, "the field is absent: the node shows no score");
  const failing = new CommandViewApi("n1", printing({ members: [] }), view, 250, [process.execPath, "-e", "process.exit(4)"]);
  await t.rejects(failing.health!(), /exit 4/, "a command that fails is an error, not a node without health");
  const { health: _health, ...noHealth } = view;
  t.equal(new CommandViewApi("n1", printing({ members: [] }), noHealth, 250).health, undefined, "no view.health: nothing to ask, the check SKIPs");
});
