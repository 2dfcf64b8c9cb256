// The dial map is looked up by a member's own id only: ids that name properties of every object dial their address.
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { startRunner } from "./start-runner.js";
import { exchange } from "../../../reference-node/shell/exchange.js";

t.test('members named "constructor" and "__proto__" are probed at their own address', async (t) => {
  const dialed: string[] = [];
  const listener = net.createServer((socket) => {
    socket.once("data", (chunk) => dialed.push(chunk.toString("utf8")));
    socket.on("error", () => undefined);
    setTimeout(() => socket.destroy(), 50);
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  t.teardown(() => listener.close());
  const addr = `127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
  const dialMapFile = path.join(mkdtempSync(path.join(tmpdir(), "grapevine-dial-")), "dial.json");
  writeFileSync(dialMapFile, "{}");
  const runner = await startRunner({ probeIntervalMs: 100, probeTimeoutMs: 50 }, { dialMapFile });
  t.teardown(() => runner.close());
  const updates = ["constructor", "__proto__"].map((id) => ({ state: "alive" as const, id, addr, incarnation: 0 }));
  await exchange({ host: "127.0.0.1", port: runner.port }, { v: 1, type: "ping", from: { id: "x", addr: "127.0.0.1:1" }, seq: 1, updates, kv: [] }, 2000, true);
  // Round-robin over two members at 100 ms periods: each is probed within a few periods; wait up to fifty.
  const pinged = (id: string) => dialed.some((frame) => frame.includes(`"target":"${id}"`));
  for (let waited = 0; waited < 5000 && !(pinged("constructor") && pinged("__proto__")); waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
  for (const id of ["constructor", "__proto__"]) t.ok(pinged(id), `${id} was pinged at ${addr}`);
});
