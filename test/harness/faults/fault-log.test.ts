// The fault log: start/end times, undo once, undo everything on the way out.
import t from "tap";
import { FaultLog } from "../../../harness/faults/fault-log.js";

t.test("a fault is recorded when applied and closed when undone, once", async (t) => {
  const log = new FaultLog();
  let undos = 0;
  const handle = log.started("pause", ["n2"], {}, async () => void undos++);
  t.equal(handle.record.endedAt, undefined);
  t.equal(log.activeCount(), 1);
  await Promise.all([handle.undo(), handle.undo()]);
  t.equal(undos, 1, "undo runs once however often it is called");
  t.ok(handle.record.endedAt! >= handle.record.startedAt);
  t.equal(log.activeCount(), 0);
});

t.test("undoAll ends every open fault, newest first, and collects errors instead of stopping", async (t) => {
  const log = new FaultLog();
  const order: string[] = [];
  log.started("partition", ["a"], {}, async () => void order.push("first"));
  log.started("latency", ["b"], {}, async () => {
    order.push("second");
    throw new Error("proxy gone");
  });
  log.instant("crash", ["c"], {});
  const errors = await log.undoAll();
  t.same(order, ["second", "first"]);
  t.same(
    errors.map((e) => e.message),
    ["proxy gone"],
  );
  t.equal(log.activeCount(), 0);
  t.equal(log.all().length, 3);
  t.ok(
    log.all().every((r) => r.endedAt !== undefined),
    "every record closed, the failed one too",
  );
});
