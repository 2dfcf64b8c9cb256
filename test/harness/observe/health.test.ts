// The observer's local health readings: asked of any admin API, recorded on change, never invented.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import t, { type Test } from "tap";
import { HistoryWriter } from "../../../harness/history/writer.js";
import { AdminClient } from "../../../harness/observe/admin-client.js";
import type { NodeApi } from "../../../harness/observe/node-api.js";
import { Observer } from "../../../harness/observe/observer.js";

/** An HTTP server whose GET /v1/metrics answers `status` with `body`. */
async function metricsServer(t: Test, status: number, body: string): Promise<AdminClient> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === "/v1/metrics" ? status : 404, { "content-type": "application/json" });
    res.end(req.url === "/v1/metrics" ? body : "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new AdminClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

t.test("health() reads healthScore alone from /v1/metrics, and undefined where a node shows none", async (t) => {
  t.equal(await (await metricsServer(t, 200, '{"healthScore":3}')).health(), 3, "the one field an outside implementation may serve");
  t.equal(await (await metricsServer(t, 200, '{"healthScore":1,"probes":9,"other":"x"}')).health(), 1, "other fields are not asked for");
  t.equal(await (await metricsServer(t, 404, '{"error":"no"}')).health(), undefined, "no /v1/metrics");
  t.equal(await (await metricsServer(t, 200, '{"probes":9}')).health(), undefined, "metrics without a health score");
  t.equal(await (await metricsServer(t, 200, "not json")).health(), undefined);
  await t.rejects((await metricsServer(t, 500, "boom")).health(), /HTTP 500/, "a node that fails to answer is an error, not a node without health");
});

/** A node API whose health answers come from `scores`, one per call (undefined: shows none); `asked` counts the calls. */
function fakeNode(scores: (number | undefined)[]) {
  const state = { asked: 0 };
  const api = {
    baseUrl: "fake",
    events: async () => ({ events: [], next: 0 }),
    members: async () => ({ self: "n1", members: [] }),
    health: async () => scores[Math.min(state.asked++, scores.length - 1)],
  } as unknown as NodeApi;
  return { api, state };
}

t.test("the observer records a node's first health reading and each change, and stops asking a node that shows none", async (t) => {
  const writer = new HistoryWriter(undefined);
  const history = writer.forScenario("s");
  const observer = new Observer(history, 10, 1);
  const shows = fakeNode([0, 0, 2, 2, 1, 1]);
  const hides = fakeNode([undefined]);
  observer.watch("n1", shows.api, false);
  observer.watch("n2", hides.api, false);
  observer.start();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await observer.stop();
  const readings = writer.records.filter((r) => r.type === "health");
  t.same(
    readings.map((r) => (r.type === "health" ? [r.node, r.score, r.source] : [])),
    [
      ["n1", 0, "observer"],
      ["n1", 2, "observer"],
      ["n1", 1, "observer"],
    ],
    "0 first, then only the changes",
  );
  t.ok(shows.state.asked >= 6, `n1 asked on every snapshot (${shows.state.asked})`);
  t.equal(hides.state.asked, 1, "n2 showed no score: asked once, never again, and nothing recorded for it");
});
