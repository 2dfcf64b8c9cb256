// Over real TCP: an input the core throws on is dropped, logged and counted, and the node keeps serving.
import t from "tap";
import { startRunner } from "./start-runner.js";
import { exchange } from "../../../reference-node/shell/exchange.js";
import { AdminClient } from "../../../harness/observe/admin-client.js";

const logLines: string[] = [];
const runner = await startRunner({ probeIntervalMs: 60_000, probeTimeoutMs: 500 }, { logLines });
t.teardown(() => runner.close());
const admin = new AdminClient(`http://127.0.0.1:${runner.adminPort}`);
const to = { host: "127.0.0.1", port: runner.port };
const ping = (seq: number) => ({ v: 1 as const, type: "ping" as const, from: { id: "x", addr: "127.0.0.1:1" }, seq, updates: [], kv: [] });

t.test("a request the core throws on is closed unanswered, counted and logged; the next ping is acked", async (t) => {
  // The defect is planted: the core's step throws on the first ping, as a bug reached by some hostile frame would.
  const step = runner.core.step.bind(runner.core);
  let planted = true;
  runner.core.step = (input, now) => {
    if (planted && input.type === "request" && input.message.type === "ping") {
      planted = false;
      throw new TypeError("planted defect");
    }
    return step(input, now);
  };
  t.teardown(() => {
    runner.core.step = step;
  });
  const first = await exchange(to, ping(1), 2000, true);
  t.match(first, { ok: false, failure: "closed" }, "the connection is closed without an answer");
  const second = await exchange(to, ping(2), 2000, true);
  t.match(second, { ok: true, response: { type: "ack", seq: 2 } }, "the node still answers");
  t.equal((await admin.metrics()).internalErrors, 1, "counted in /v1/metrics");
  t.ok(
    logLines.some((l) => l.includes("planted defect") && l.includes('"level":"error"')),
    "logged with the error",
  );
});

t.test("a message too large to frame is not sent, and the node runs on", async (t) => {
  const before = (await admin.metrics()).internalErrors;
  const huge = "x".repeat(1024 * 1024);
  // A key-value write this large passes no admin limit; it is put straight into the core to reach the encoder.
  runner.input({ type: "kv-put", request: 99, key: "huge", value: huge });
  const reply = await exchange(
    to,
    { v: 1, type: "ae-entries", from: { id: "x", addr: "127.0.0.1:1" }, session: 1, leaves: [...Array(4096).keys()], entries: [], want: true },
    3000,
    true,
  );
  t.match(reply, { ok: true, response: { type: "ae-entries", entries: [] } }, "the entry that cannot fit is left out of the reply");
  const after = await exchange(to, ping(3), 2000, true);
  t.match(after, { ok: true, response: { type: "ack" } });
  t.equal((await admin.metrics()).internalErrors, before, "nothing went wrong on the way");
});
