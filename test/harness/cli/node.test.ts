// `grapevine node`, the node's own entry (reference-node/main.js, what runtimes start) and
// `grapevine schema`, as a user runs them: real child processes of the built files.
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, builtNode } from "../../../harness/paths.js";
import { SCHEMAS } from "../../../specs/catalog.js";

const grapevine = (...args: string[]) => execa(process.execPath, [builtCli(), ...args], { reject: false, timeout: 15_000 });
/** The two ways to start a node: the CLI command (yargs) and the node's own entry (parseArgs); same flags, same checks. */
const ENTRIES: [string, string[]][] = [
  ["grapevine node", [builtCli(), "node"]],
  ["reference-node/main.js", [builtNode()]],
];

const badFlags: [string[], RegExp][] = [
  [["--probe-interval-ms", "abc"], /--probe-interval-ms: .*expected number/],
  [["--probe-interval-ms", "0"], /--probe-interval-ms: .*>=1/],
  [["--probe-timeout-ms", "2000"], /--probe-timeout-ms: must be shorter than the probe interval/],
  [["--indirect-checks", "1.5"], /--indirect-checks: .*int/],
  [["--seeds", "localhost"], /--seeds: "localhost" is not host:port/],
  [["--port", "70000"], /--port: must be a port number/],
  [["--no-such-flag"], /Unknown argument|Unknown option '--no-such-flag'/],
  [["--log-level", "loud"], /log-level.*"loud"/s],
  [["--anti-entropy-mode", "sideways"], /anti-entropy-mode.*"sideways"/s],
  [["--seed", "1.5"], /--seed: must be a whole number/],
  [["--detector", "gut-feeling"], /detector.*"gut-feeling"/s],
  [["--detector", "phi", "--phi-suspect-threshold", "9"], /--phi-suspect-threshold: must be at most the conviction threshold/],
  [["--detector", "phi", "--wire", "memberlist"], /--detector phi: the memberlist wire has no heartbeat message/],
  [["--dial-map", "/nonexistent/map.json"], /--dial-map \/nonexistent\/map.json: cannot read dial map/],
];

for (const [entry, argv] of ENTRIES) {
  for (const [flags, message] of badFlags) {
    t.test(`${entry}: bad input ${flags.join(" ")} exits 2 naming the flag`, async (t) => {
      const result = await execa(process.execPath, [...argv, "--id", "n1", "--port", "0", "--admin-port", "0", ...flags], { reject: false, timeout: 15_000 });
      t.equal(result.exitCode, 2, result.stderr);
      t.match(result.stderr, message);
    });
  }

  t.test(`${entry}: a started node prints its ready line, takes its settings, and leaves on SIGTERM with exit 0`, async (t) => {
    const child = execa(process.execPath, [...argv, "--id", "solo", "--port", "0", "--admin-port", "0", "--probe-interval-ms", "300", "--seed", "7"], {
      reject: false,
    });
    const line = await new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString())));
    const ready = JSON.parse(line);
    t.match(ready, { ready: true, id: "solo", port: Number, adminPort: Number });
    const info = (await (await fetch(`http://127.0.0.1:${ready.adminPort}/v1/node`)).json()) as { seed: number; config: Record<string, unknown> };
    t.equal(info.seed, 7);
    t.match(info.config, { probeIntervalMs: 300, probeTimeoutMs: 150, suspicionMult: 4 }, "the flag, the timeout derived from it, a default");
    child.kill("SIGTERM");
    const result = await child;
    t.equal(result.exitCode, 0);
    t.match(result.stderr, /"msg":"left the cluster"/);
  });
}

t.test("--id is required by both entries", async (t) => {
  for (const [entry, argv] of ENTRIES) {
    const result = await execa(process.execPath, [...argv, "--port", "0", "--admin-port", "0"], { reject: false, timeout: 15_000 });
    t.equal(result.exitCode, 2, entry);
    t.match(result.stderr, /id/, entry);
  }
});

t.test("grapevine node --help lists every protocol setting from the config schema", async (t) => {
  const result = await grapevine("node", "--help");
  t.equal(result.exitCode, 0);
  t.match(result.stdout, /Protocol settings:/);
  t.match(result.stdout, /--suspicion-max-timeout-mult/);
  t.match(result.stdout, /--anti-entropy-mode\s+.*\[choices: "push", "pull", "push-pull"\]/s);
});

t.test("a port in use exits 2 and says so", async (t) => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  t.teardown(() => taken.close());
  const port = String((taken.address() as net.AddressInfo).port);
  const result = await grapevine("node", "--id", "n1", "--port", port, "--admin-port", "0");
  t.equal(result.exitCode, 2);
  t.match(result.stderr, new RegExp(`port ${port} is already in use`));
});

t.test("grapevine schema writes a JSON Schema for every contract", async (t) => {
  const out = mkdtempSync(path.join(tmpdir(), "grapevine-schema-"));
  const result = await grapevine("schema", "--out", out);
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(
    ["wire", "admin", "node", "memberlist", "scenario", "adapter"].reduce((n, dir) => n + readdirSync(path.join(out, dir)).length, 0),
    Object.keys(SCHEMAS).length,
  );
  const alive = JSON.parse(readFileSync(path.join(out, "memberlist", "alive.schema.json"), "utf8"));
  t.same(Object.keys(alive.properties), ["Incarnation", "Node", "Addr", "Port", "Meta", "Vsn"], "memberlist's alive, field by field");
  t.match(alive.properties.Addr, { anyOf: [{ description: /msgpack raw/ }, { type: "null" }] }, "byte fields described (msgpack raw, or nil)");
  const ping = JSON.parse(readFileSync(path.join(out, "wire", "ping.schema.json"), "utf8"));
  t.equal(ping.$schema, "https://json-schema.org/draft/2020-12/schema");
  t.same([...ping.required].sort(), ["from", "seq", "type", "v"], "input side: updates has a default, so it is optional");
  t.same(ping.properties.type, { type: "string", const: "ping" });
  const message = JSON.parse(readFileSync(path.join(out, "wire", "message.schema.json"), "utf8"));
  t.equal(message.oneOf?.length ?? message.anyOf?.length, 9, "one branch per message type (6 membership, the φ detector's heartbeat, 2 anti-entropy)");
});

t.test("schema without --out is bad input", async (t) => {
  const result = await grapevine("schema");
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /out/);
});

t.test("a node whose harness dies without cleaning up exits by itself", async (t) => {
  // Stand in for a harness that is SIGKILLed: a process that lives briefly.
  const harness = execa("sleep", ["1"]);
  const child = execa(process.execPath, [builtNode(), "--id", "orphan", "--port", "0", "--admin-port", "0"], {
    reject: false,
    env: { GRAPEVINE_PARENT_PID: String(harness.pid) },
    timeout: 15_000,
  });
  await harness;
  const result = await child;
  t.equal(result.exitCode, 0, "exited on its own, not by the test's timeout");
  t.match(result.stderr, /the harness that started this node is gone/);
});
