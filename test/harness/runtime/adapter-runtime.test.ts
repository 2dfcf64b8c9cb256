// Starting a node from a manifest: a process that never shows itself in its view is refused after
// readyTimeoutMs and said as such (not as an exit, though the runtime kills it); one that exits by
// itself is said to have exited, with its code. Real child processes; nothing listens on the admin port.
import { readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { AdapterManifest } from "../../../specs/adapter/manifest.js";
import { packageRoot } from "../../../harness/paths.js";
import { AdapterRuntime } from "../../../harness/runtime/adapter-runtime.js";

const file = path.join(packageRoot(), "fixtures", "adapters", "memberlist.json");

/** The memberlist manifest with its start command replaced by a node -e script. */
function runtimeRunning(script: string): AdapterRuntime {
  const { build: _build, ...raw } = JSON.parse(readFileSync(file, "utf8"));
  const manifest = AdapterManifest.parse({ ...raw, start: { ...raw.start, command: [process.execPath, "-e", script], readyTimeoutMs: 800 } });
  return new AdapterRuntime(manifest, file);
}

t.test("a node that never shows itself: refused after readyTimeoutMs, said as a timeout", async (t) => {
  const runtime = runtimeRunning("setTimeout(() => {}, 60000)");
  const port = await runtime.port();
  const started = Date.now();
  await t.rejects(runtime.start({ id: "n1", port, seeds: [], dialMapFile: "" }), /did not become ready: not in its own view within 800 ms/);
  t.ok(Date.now() - started < 10_000, "the process was killed, not waited for");
});

t.test("a node that exits by itself: said as an exit, with its code", async (t) => {
  const runtime = runtimeRunning("console.error('no such flag'); process.exit(3)");
  const port = await runtime.port();
  await t.rejects(runtime.start({ id: "n1", port, seeds: [], dialMapFile: "" }), /did not become ready: exited 3\n[^]*no such flag/);
});
