// Adapter manifests: the shipped Serf manifest loads; bad ones are named by file and field; templates and views map strictly.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { fill, loadManifest, mapView } from "../../../harness/adapters/manifest.js";
import { packageRoot } from "../../../harness/paths.js";

const serf = loadManifest(path.join(packageRoot(), "fixtures", "adapters", "serf.json"));

t.test("the Serf manifest: its UDP probes are faulted on the packets, not through the proxies", async (t) => {
  t.equal(serf.name, "serf");
  t.equal(serf.faults.network, "packet");
  t.equal(serf.gossip, undefined, "the first port (bind) is the gossip port");
  t.equal(serf.visible.suspect, false);
  t.equal(serf.timing.probeIntervalMs, 1000);
});

t.test("templates: every placeholder must be provided", async (t) => {
  t.same(fill(serf.start.command, { id: "n1", host: "10.200.0.10", bind: 7946, rpc: 7373 }).slice(0, 4), [
    "serf",
    "agent",
    "-node=n1",
    "-bind=10.200.0.10:7946",
  ]);
  t.same(fill(serf.start.seedArgs, { seed: "10.200.0.11:9000" }), ["-join=10.200.0.11:9000"]);
  t.throws(() => fill(["-x={nope}"], { id: "a" }), { name: "ManifestError", message: /uses \{nope\}, which is not one of \{id\}/ });
});

t.test("views: Serf's JSON mapped onto Grapevine's states; an unmapped state is an error", async (t) => {
  const view = serf.view;
  if (view.kind !== "command") throw new Error("expected a command view");
  const json = {
    members: [
      { name: "n1", addr: "127.0.0.1:1", status: "alive" },
      { name: "n2", addr: "127.0.0.1:2", status: "failed" },
      { name: "n3", addr: "127.0.0.1:3", status: "left" },
    ],
  };
  t.same(
    mapView(json, view).map((m) => `${m.id}=${m.state}`),
    ["n1=alive", "n2=dead", "n3=left"],
  );
  t.throws(() => mapView({ members: [{ name: "n4", addr: "x:1", status: "reaping" }] }, view), /state "reaping" of n4 is not mapped/);
  t.throws(() => mapView({ nodes: [] }, view), /no array "members"/);
});

t.test("a bad manifest names its file and field", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "adapter-"));
  const file = path.join(dir, "bad.json");
  writeFileSync(file, JSON.stringify({ ...serf, ports: [] }));
  t.throws(() => loadManifest(file), { name: "ManifestError", message: `${file}: field ports: Too small: expected array to have >=1 items` });
  writeFileSync(file, JSON.stringify({ ...serf, view: { ...serf.view, kind: "snmp" } }));
  t.throws(() => loadManifest(file), { message: new RegExp(`${file.replace(/[.]/g, "\\.")}: field view\\.kind: `) });
  writeFileSync(file, JSON.stringify({ ...serf, view: { ...serf.view, health: { command: ["serf", "info"], field: "serf..health_score" } } }));
  t.throws(() => loadManifest(file), {
    message: `${file}: field view.health.field: a dotted path of keys, e.g. serf.health_score`,
  });
  writeFileSync(file, "{");
  t.throws(() => loadManifest(file), { message: /bad\.json: / });
});
